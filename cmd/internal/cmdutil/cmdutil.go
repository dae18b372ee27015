// Package cmdutil holds what the modern commands share beyond flags.
package cmdutil

import "strings"

// OneLine words a failure for the modern CLI: one line, without libpcp's
// "ERROR:" lead that the pcp_* tools keep.
func OneLine(err error) string {
	s := strings.TrimSpace(err.Error())
	s = strings.TrimSpace(strings.TrimPrefix(s, "ERROR:"))
	return strings.Join(strings.Fields(s), " ")
}
