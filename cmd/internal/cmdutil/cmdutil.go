// Package cmdutil holds what the modern commands share beyond flags.
package cmdutil

import "strings"

// OneLine puts a failure on one line for the modern CLI. A server's
// "ERROR:" severity is the usual case and is left out; FATAL and the
// others stay.
func OneLine(err error) string {
	s := strings.TrimSpace(err.Error())
	s = strings.TrimSpace(strings.TrimPrefix(s, "ERROR:"))
	return strings.Join(strings.Fields(s), " ")
}
