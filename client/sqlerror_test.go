package client

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// A refusal of the user or database is final; a server starting up, or
// one that never answered, may answer later.
func TestSQLRefused(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&pgconn.PgError{Severity: "FATAL", Code: "28000", Message: `role "root" does not exist`}, true},
		{&pgconn.PgError{Severity: "FATAL", Code: "28P01", Message: "password authentication failed"}, true},
		{&pgconn.PgError{Severity: "FATAL", Code: "3D000", Message: `database "x" does not exist`}, true},
		{&pgconn.PgError{Severity: "FATAL", Code: "57P03", Message: "the database system is starting up"}, false},
		{errors.New("dial tcp 127.0.0.1:1: connect: connection refused"), false},
	} {
		err := sqlError(fmt.Errorf("failed to connect: %w", c.err))
		if got := SQLRefused(err); got != c.want {
			t.Errorf("%v: refused %v, want %v", err, got, c.want)
		}
		if SQLRefused(c.err) {
			t.Errorf("%v: refused before sqlError gave it a code", c.err)
		}
	}
}
