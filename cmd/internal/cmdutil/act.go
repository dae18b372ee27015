package cmdutil

import (
	"context"
	"fmt"
	"io"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/cmd/factory"
)

// Act is the preamble of a command that changes one pgpool's state: connect
// and authenticate first, so that a dry run proves the endpoint and the
// credentials, then either say what would be done or send under the query
// deadline. connected tells a failure to reach pgpool (err as Connect words
// it) from send's own error, which is returned untouched for the caller to
// explain.
func Act(ctx context.Context, f *factory.Factory, s *factory.Settings, out io.Writer, dryRun bool, would string, send func(context.Context, *client.Conn) error) (connected bool, err error) {
	if ctx == nil {
		ctx = context.Background()
	}
	conn, err := f.Connect(ctx, s)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	if dryRun {
		_, err := fmt.Fprintf(out, "would %s; dry run, nothing was sent\n", would)
		return true, err
	}
	qctx, cancel := s.Query(ctx)
	defer cancel()
	return true, send(qctx, conn)
}
