package compat

import (
	"bufio"
	"strings"
	"testing"

	"github.com/pcpctl/pcpctl/cmd/iostreams"
)

// FuzzParse drives the 3.5+ getopt front end of every pcp_* tool with
// arbitrary argument vectors (NUL separates arguments). It must not panic,
// must print nothing on stdout, and must either produce options the command
// can use or stop with the stock code (0 or 1) and a message on stderr.
// Parsing never touches the network: connecting is execute's job.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"-h\x00127.0.0.1\x00-p\x009898\x00-U\x00pcpadmin\x00-w\x00-n\x000",
		"-h127.0.0.1\x00-p9898\x00-wvad\x00--node-id=1",
		"--host\x00/tmp\x00--port=99999\x00-n\x00abc",
		"-n\x00-1\x00--gracefully\x00--switchover",
		"-m\x00fast\x00-s\x00cluster",
		"--sc\x00c\x00--mode=immediate",
		"-P\x000\x00extra\x00operand",
		"--watchdog-id\x00-5",
		"-p",
		"--",
		"-?",
		"--help\x00-V",
		"--no-such-option\x00-x",
		"2\x00127.0.0.1\x009898\x00pcpadmin\x00secret\x000",
		"-n\x00999999999999999999999\x00-p\x00-1",
	} {
		for i := range Names() {
			f.Add(uint8(i), s)
		}
	}
	names := Names()
	f.Fuzz(func(t *testing.T, which uint8, joined string) {
		name := names[int(which)%len(names)]
		tl, _ := lookup(name)
		ios, _, out, errOut := iostreams.Test()
		r := &runner{t: tl, ios: ios, out: bufio.NewWriter(out)}
		argv := append([]string{name}, strings.Split(joined, "\x00")...)
		o, err := r.parse(argv)
		r.out.Flush()
		if out.Len() != 0 {
			t.Fatalf("%q: parse wrote to stdout: %q", argv, out.String())
		}
		if err != nil {
			code := err.(exitError).code
			if code != 0 && code != 1 {
				t.Fatalf("%q: exit %d, the stock tools only use 0 and 1", argv, code)
			}
			if errOut.Len() == 0 {
				t.Fatalf("%q: exit %d without a message", argv, code)
			}
			return
		}
		if o.port <= 1024 || o.port > 65535 {
			t.Fatalf("%q: accepted port %d", argv, o.port)
		}
		if tl.requiresNodeID() && (o.nodeID < 0 || o.nodeID > maxNumBackends) {
			t.Fatalf("%q: accepted node id %d", argv, o.nodeID)
		}
		if tl.kind == stopPgpool && !strings.ContainsRune("sfi", rune(o.mode)) {
			t.Fatalf("%q: accepted mode %q", argv, o.mode)
		}
		if o.scope != 'l' && o.scope != 'c' {
			t.Fatalf("%q: accepted scope %q", argv, o.scope)
		}
	})
}
