package status

import (
	"context"
	"fmt"
	"time"

	"github.com/pcpctl/pcpctl/cmd/internal/cmdutil"
)

// watchRun redraws until ctx ends (Ctrl-C). Each refresh opens one short
// session per pgpool, concurrently, and closes it: pgpool completes a
// failover or failback only once every PCP session has ended, so sessions
// held between refreshes would stall the very change being watched. An
// unreachable pgpool costs at most one timeout per refresh and is shown as
// such; the others keep refreshing.
func watchRun(ctx context.Context, o *StatusOptions) error {
	s, err := cmdutil.Stream(o.IO, o.Format, fmt.Sprintf("Every %s: pcpctl cluster status, %d pgpools", o.Watch, len(o.Targets)))
	if err != nil {
		return err
	}
	for first := true; ; first = false {
		now := o.Now()
		c := Fetch(ctx, o.Factory, o.Targets, o.Loc, first)
		if ctx.Err() != nil {
			break
		}
		c.Context = o.Context
		if err := s.Frame(now, c, ""); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
		case <-time.After(o.Watch):
			continue
		}
		break
	}
	s.End()
	return nil
}
