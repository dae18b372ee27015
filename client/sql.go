package client

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// SQLTarget says where a SQL connection goes. User, database and password
// come from the libpq environment (PGUSER, PGDATABASE, PGPASSWORD,
// PGPASSFILE/.pgpass) as with psql; connect_timeout bounds the dial.
type SQLTarget struct {
	Host string // host name, IP, or socket directory
	Port int
	// User overrides PGUSER (and libpq's default, the OS user).
	User string
}

func (t SQLTarget) connString(timeout time.Duration) string {
	q := func(s string) string {
		return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
	}
	host := t.Host
	if host == "" {
		host = DefaultSocketDir
	}
	secs := int(timeout.Round(time.Second) / time.Second)
	if secs < 1 {
		secs = 1
	}
	cs := fmt.Sprintf("host=%s port=%d connect_timeout=%d application_name=pcpctl", q(host), t.Port, secs)
	if t.User != "" {
		cs += " user=" + q(t.User)
	}
	return cs
}

// sqlConnect opens a pgconn connection: the two queries below are simple
// protocol with text results, which pgconn returns as they are. The pgx
// layer above it (statement cache, type-mapped scanning) would link most of
// pgtype's codecs into every process for nothing (BENCHMARKS.md).
func sqlConnect(ctx context.Context, t SQLTarget) (*pgconn.PgConn, error) {
	timeout := 10 * time.Second
	if d, ok := ctx.Deadline(); ok {
		timeout = time.Until(d)
	}
	return pgconn.Connect(ctx, t.connString(timeout))
}

// query runs one statement by the simple protocol and returns its result.
func query(ctx context.Context, c *pgconn.PgConn, sql string) (*pgconn.Result, error) {
	results, err := c.Exec(ctx, sql).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(results) != 1 {
		return nil, fmt.Errorf("%d results for one statement", len(results))
	}
	return results[0], nil
}

// PoolNodeRow is one row of SHOW pool_nodes, by column name; columns the
// pgpool release does not have are absent.
type PoolNodeRow map[string]string

// ShowPoolNodes runs SHOW pool_nodes through pgpool's SQL port. ctx must
// carry the deadline.
func ShowPoolNodes(ctx context.Context, t SQLTarget) ([]PoolNodeRow, error) {
	c, err := sqlConnect(ctx, t)
	if err != nil {
		return nil, sqlError(err)
	}
	defer c.Close(context.WithoutCancel(ctx))
	res, err := query(ctx, c, "SHOW pool_nodes")
	if err != nil {
		return nil, sqlError(err)
	}
	var out []PoolNodeRow
	for _, raw := range res.Rows {
		r := PoolNodeRow{}
		for i, fd := range res.FieldDescriptions {
			if i < len(raw) && raw[i] != nil {
				r[fd.Name] = string(raw[i])
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// BackendState is what a PostgreSQL server says about itself.
type BackendState struct {
	InRecovery bool
	// LSN is pg_current_wal_lsn() on a primary, pg_last_wal_replay_lsn()
	// on a standby (0 when unknown).
	LSN uint64
}

// CheckBackend asks one PostgreSQL server whether it is in recovery and
// where its WAL is. ctx must carry the deadline.
func CheckBackend(ctx context.Context, t SQLTarget) (*BackendState, error) {
	c, err := sqlConnect(ctx, t)
	if err != nil {
		return nil, sqlError(err)
	}
	defer c.Close(context.WithoutCancel(ctx))
	res, err := query(ctx, c, `SELECT pg_is_in_recovery(),
		(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text`)
	if err != nil {
		return nil, sqlError(err)
	}
	// Text format: a boolean is "t" or "f"; the LSN is NULL when unknown.
	if len(res.Rows) != 1 || len(res.Rows[0]) != 2 {
		return nil, fmt.Errorf("unexpected answer to pg_is_in_recovery(): %d rows", len(res.Rows))
	}
	row := res.Rows[0]
	var st BackendState
	switch string(row[0]) {
	case "t":
		st.InRecovery = true
	case "f":
	default:
		return nil, fmt.Errorf("unexpected pg_is_in_recovery() value %q", row[0])
	}
	if row[1] != nil {
		st.LSN, _ = ParseLSN(string(row[1]))
	}
	return &st, nil
}

// ParseLSN reads PostgreSQL's "X/Y" WAL position.
func ParseLSN(s string) (uint64, error) {
	hi, lo, ok := strings.Cut(s, "/")
	if !ok {
		return 0, fmt.Errorf("invalid LSN %q", s)
	}
	h, err := strconv.ParseUint(hi, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("invalid LSN %q", s)
	}
	l, err := strconv.ParseUint(lo, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("invalid LSN %q", s)
	}
	return h<<32 | l, nil
}

// SQLError is a backend query's failure in one line (pgx never includes
// the password in its messages), with the server's SQLSTATE when the
// server answered.
type SQLError struct {
	Msg  string
	Code string
}

func (e *SQLError) Error() string { return e.Msg }

// SQLRefused reports whether the server refused this user or database
// (SQLSTATE class 28, or 3D000): asking again will not change the answer,
// unlike a server that is restarting or unreachable.
func SQLRefused(err error) bool {
	var e *SQLError
	return errors.As(err, &e) && (strings.HasPrefix(e.Code, "28") || e.Code == "3D000")
}

func sqlError(err error) error {
	// pgx lists every attempt (TLS, then plain) on its own line; the last
	// one says why it finally failed.
	lines := strings.Split(strings.TrimSpace(err.Error()), "\n")
	msg := strings.TrimSpace(lines[len(lines)-1])
	e := &SQLError{Msg: strings.Join(strings.Fields(msg), " ")}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		e.Code = pe.Code
	}
	return e
}

// Replication is what a PostgreSQL server says about its place in
// streaming replication: whether it is in recovery, its timeline and WAL
// position, and, on a standby, its WAL receiver.
type Replication struct {
	InRecovery bool
	// Timeline is the primary's current timeline, or the timeline the
	// standby's WAL receiver last received (0 when it has none).
	Timeline int
	// LSN is pg_current_wal_lsn() on a primary, pg_last_wal_replay_lsn()
	// on a standby (0 when unknown).
	LSN uint64
	// Receiver is the standby's WAL receiver; nil when there is none (a
	// primary, or a standby that is not connected to any sender).
	Receiver *WALReceiver
}

// WALReceiver is the row of pg_stat_wal_receiver. SenderHost and
// SenderPort are empty and 0 when the role may not see them (they need
// superuser or pg_read_all_stats).
type WALReceiver struct {
	Status      string
	SenderHost  string
	SenderPort  int
	ReceivedTLI int
}

// CheckReplication reads Replication from one server in one query. ctx
// must carry the deadline.
func CheckReplication(ctx context.Context, t SQLTarget) (*Replication, error) {
	c, err := sqlConnect(ctx, t)
	if err != nil {
		return nil, sqlError(err)
	}
	defer c.Close(context.WithoutCancel(ctx))
	// pg_walfile_name is refused during recovery, hence the CASE; the
	// receiver row is absent when no receiver runs (LEFT JOIN on true).
	res, err := query(ctx, c, `SELECT pg_is_in_recovery(),
		(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text,
		(CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_walfile_name(pg_current_wal_lsn()) END),
		r.status, r.sender_host, r.sender_port, r.received_tli
		FROM (SELECT 1) AS one LEFT JOIN pg_stat_wal_receiver AS r ON true`)
	if err != nil {
		return nil, sqlError(err)
	}
	if len(res.Rows) != 1 || len(res.Rows[0]) != 7 {
		return nil, fmt.Errorf("unexpected answer to the replication query: %d rows", len(res.Rows))
	}
	// Text format, NULL as nil.
	row := res.Rows[0]
	text := func(i int) *string {
		if row[i] == nil {
			return nil
		}
		v := string(row[i])
		return &v
	}
	number := func(i int) *int32 {
		if row[i] == nil {
			return nil
		}
		v, err := strconv.ParseInt(string(row[i]), 10, 32)
		if err != nil {
			return nil
		}
		n := int32(v)
		return &n
	}
	if string(row[0]) != "t" && string(row[0]) != "f" {
		return nil, fmt.Errorf("unexpected pg_is_in_recovery() value %q", row[0])
	}
	rec := string(row[0]) == "t"
	lsn, walfile, status, host := text(1), text(2), text(3), text(4)
	port, tli := number(5), number(6)
	st := &Replication{InRecovery: rec}
	if lsn != nil {
		st.LSN, _ = ParseLSN(*lsn)
	}
	if walfile != nil && len(*walfile) >= 8 {
		if v, err := strconv.ParseUint((*walfile)[:8], 16, 32); err == nil {
			st.Timeline = int(v)
		}
	}
	if status != nil {
		r := &WALReceiver{Status: *status}
		if host != nil {
			r.SenderHost = *host
		}
		if port != nil {
			r.SenderPort = int(*port)
		}
		if tli != nil {
			r.ReceivedTLI = int(*tli)
		}
		st.Receiver = r
		if rec {
			st.Timeline = r.ReceivedTLI
		}
	}
	return st, nil
}
