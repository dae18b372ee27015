package client

import "time"

// Default deadlines, for both front ends, when the caller gives none. The
// stock tools wait forever; pcpctl never does, but pgpool answers the long
// operations only once they are over, so those get room.
const (
	// QueryTimeout: a modern command's reads and quick actions, where a
	// person or a monitor is waiting.
	QueryTimeout = 10 * time.Second
	// RequestTimeout: a pcp_* call, which scripts expect to wait.
	RequestTimeout = 5 * time.Minute
	// LongTimeout: graceful detach or promote, switchover, and pgpool's
	// cluster-wide stop, reload or log rotation.
	LongTimeout = 30 * time.Minute
	// RecoveryTimeout: online recovery copies a whole database.
	RecoveryTimeout = 2 * time.Hour
)
