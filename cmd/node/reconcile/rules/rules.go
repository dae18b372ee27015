// Package rules holds the safety rules of node reconcile and of the
// verified switchover: pure functions over typed inputs, so that they can
// move into the domain package for health findings unchanged.
package rules

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/health"
)

// DefaultMaxLag is --max-lag's default (reconcile, switchover): pgpool's
// own delay_threshold example is 10MB; a standby further behind serves
// visibly stale reads.
const DefaultMaxLag = 16 << 20

// Backend is one server as pgpool knows it (where it is) and as it
// answered (Rep), or why it did not (Err).
type Backend struct {
	ID   int
	Host string
	Port int
	Rep  *client.Replication
	Err  string
	// Refused: the server refused the query's user or database, which
	// waiting does not change (client.SQLRefused).
	Refused bool
}

// Addr is host:port as pgpool names the backend.
func (b *Backend) Addr() string { return net.JoinHostPort(b.Host, strconv.Itoa(b.Port)) }

// Input is everything one decision depends on.
type Input struct {
	// Mode is pgpool's backend_clustering_mode ("" when unknown).
	Mode string
	// Primary is pgpool's primary; nil when pgpool has none.
	Primary *Backend
	// Node is the node pgpool has down or unused.
	Node   Backend
	MaxLag uint64
}

// Verdict is a decision and its reason, one line.
type Verdict struct {
	Attach bool
	Reason string
}

// Decide says whether attaching in.Node is safe.
func Decide(in Input) Verdict {
	refuse := func(format string, a ...any) Verdict { return Verdict{Reason: fmt.Sprintf(format, a...)} }
	switch in.Mode {
	case "streaming_replication", "":
	case "native_replication", "snapshot_isolation":
		return refuse("pgpool runs in %s mode, where a node's data must be copied back by online recovery (pcpctl node recover %d), not attached", in.Mode, in.Node.ID)
	default:
		return refuse("pgpool runs in %s mode; reconcile knows the rules of streaming replication only", in.Mode)
	}
	p := in.Primary
	if p == nil {
		return refuse("pgpool has no primary, so no node can be checked against one")
	}
	if ok, why := Follows(&in.Node, p, in.MaxLag); !ok {
		return refuse("%s", why)
	}
	return Verdict{Attach: true, Reason: streamingReason(&in.Node, p, in.MaxLag)}
}

func streamingReason(n, p *Backend, maxLag uint64) string {
	return fmt.Sprintf("streams from the primary node %d (%s) on timeline %d, replay lag %s (limit %s)",
		p.ID, p.Addr(), n.Rep.Timeline, FormatBytes(Lag(n.Rep, p.Rep)), FormatBytes(maxLag))
}

// Streams describes n streaming from p, without a lag limit: what a
// switchover's follower shows once it follows.
func Streams(n, p *Backend) string {
	return fmt.Sprintf("streams from node %d (%s) on timeline %d, replay lag %s",
		p.ID, p.Addr(), n.Rep.Timeline, FormatBytes(Lag(n.Rep, p.Rep)))
}

// Lag is how far n's replay is behind the primary p, in bytes.
func Lag(n, p *client.Replication) uint64 {
	if p.LSN > n.LSN {
		return p.LSN - n.LSN
	}
	return 0
}

// Follows reports whether n is a standby streaming from p, on p's
// timeline, within maxLag bytes; if not, why not.
func Follows(n, p *Backend, maxLag uint64) (bool, string) {
	if p.Err != "" {
		return false, fmt.Sprintf("the primary node %d (%s) cannot be checked: %s", p.ID, p.Addr(), p.Err)
	}
	if p.Rep.InRecovery {
		return false, fmt.Sprintf("pgpool's primary node %d (%s) is in recovery itself", p.ID, p.Addr())
	}
	if n.Err != "" {
		return false, fmt.Sprintf("backend unreachable: %s", n.Err)
	}
	r := n.Rep
	if !r.InRecovery {
		return false, fmt.Sprintf("it is read-write (not in recovery) while node %d (%s) is the primary: attaching it would make two primaries", p.ID, p.Addr())
	}
	if r.Receiver == nil {
		return false, "it is a standby with no WAL receiver: it streams from nowhere"
	}
	if r.Receiver.Status != "streaming" {
		return false, fmt.Sprintf("its WAL receiver is %s, not streaming", r.Receiver.Status)
	}
	if r.Receiver.SenderHost == "" {
		return false, "its WAL receiver's sender is hidden (connect as a superuser or a member of pg_read_all_stats)"
	}
	if !SameEndpoint(r.Receiver.SenderHost, r.Receiver.SenderPort, p.Host, p.Port) {
		return false, fmt.Sprintf("it streams from %s, not from the primary node %d (%s)",
			net.JoinHostPort(r.Receiver.SenderHost, strconv.Itoa(r.Receiver.SenderPort)), p.ID, p.Addr())
	}
	if r.Timeline != p.Rep.Timeline {
		old := "an old"
		if r.Timeline > p.Rep.Timeline {
			old = "a newer"
		}
		return false, fmt.Sprintf("it is on %s timeline %d; the primary is on timeline %d", old, r.Timeline, p.Rep.Timeline)
	}
	if r.LSN == 0 {
		return false, "its replay position is unknown, so its lag cannot be measured"
	}
	if lag := Lag(r, p.Rep); lag > maxLag {
		return false, fmt.Sprintf("its replay lags %s behind the primary, over the limit of %s (--max-lag)", FormatBytes(lag), FormatBytes(maxLag))
	}
	return true, streamingReason(n, p, maxLag)
}

// SameEndpoint compares a WAL sender's host and port with pgpool's name
// for a backend: the same text, or both loopback (localhost, 127.0.0.0/8,
// ::1), since a standby on the same machine may name its primary either way.
func SameEndpoint(h1 string, p1 int, h2 string, p2 int) bool {
	if p1 != p2 {
		return false
	}
	if strings.EqualFold(h1, h2) {
		return true
	}
	return loopback(h1) && loopback(h2)
}

func loopback(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(h, "[]"))
	return ip != nil && ip.IsLoopback()
}

// ParseBytes reads a size: bytes, or a number with kB, MB, GB (powers of
// 1024, as PostgreSQL's own units), e.g. 16MB.
func ParseBytes(s string) (uint64, error) {
	v := strings.TrimSpace(s)
	mult := uint64(1)
	for _, u := range []struct {
		suffix string
		m      uint64
	}{{"kB", 1 << 10}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(v, u.suffix) {
			v, mult = strings.TrimSpace(strings.TrimSuffix(v, u.suffix)), u.m
			break
		}
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n > (1<<63)/mult {
		return 0, fmt.Errorf("invalid size %q: want bytes or a number with kB, MB or GB, such as 16MB", s)
	}
	return n * mult, nil
}

// FormatBytes prints a size the way ParseBytes reads it.
func FormatBytes(n uint64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%dGB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dkB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}

// ClusteringMode names pgpool's backend_clustering_mode as pcp_pool_status
// reports it (a number in 4.2+, the enum's order).
func ClusteringMode(v string) string { return string(health.ParseMode(v)) }
