// Command testsummary reads `go test -json` on stdin and prints what a plain
// `go test` prints (each package's ok/FAIL line, and the output of every
// failed test), followed by every skipped test with its reason, which plain
// go test never shows. scripts/test.sh runs every test phase through it, so
// that a skip is seen rather than mistaken for a pass.
//
//	go test -json ./... | go run ./cmd/testsummary [-log FILE]
//
// It exits 1 if a test or package failed, or if the input had no test
// event at all (a build failure before any test ran).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
)

// event is one line of test2json.
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// reasonLine is the t.Skip/t.Log line a test prints: "    file.go:12: text".
var reasonLine = regexp.MustCompile(`^\s+\S+\.go:\d+: (.*)$`)

type key struct{ pkg, test string }

type skip struct {
	key
	reason string
}

func main() {
	logPath := flag.String("log", "", "also write every output line (the go test -v text) to this file")
	flag.Parse()
	var verbose io.Writer = io.Discard
	if *logPath != "" {
		f, err := os.Create(*logPath)
		if err != nil {
			fmt.Fprintln(os.Stderr, "testsummary:", err)
			os.Exit(2)
		}
		defer f.Close()
		verbose = f
	}
	failed, skips, events := summarize(os.Stdin, os.Stdout, verbose)
	printSkips(os.Stdout, skips)
	if events == 0 {
		fmt.Println("testsummary: no test events (did the build fail?)")
		os.Exit(1)
	}
	if failed {
		os.Exit(1)
	}
}

// summarize copies the plain go test output to out and every output line to
// verbose, and returns whether anything failed, the skips, and how many
// events it read.
func summarize(in io.Reader, out, verbose io.Writer) (failed bool, skips []skip, events int) {
	outputs := map[key][]string{}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			// Not an event (go vet or build output): pass it through.
			fmt.Fprintln(out, sc.Text())
			continue
		}
		events++
		k := key{e.Package, e.Test}
		switch e.Action {
		case "output":
			io.WriteString(verbose, e.Output)
			if e.Test == "" {
				// Package lines: ok, FAIL, build errors, and the
				// "=== RUN"-free output of a test binary that died.
				if !strings.HasPrefix(e.Output, "=== ") && !strings.HasPrefix(e.Output, "PASS\n") {
					io.WriteString(out, e.Output)
				}
				continue
			}
			outputs[k] = append(outputs[k], e.Output)
		case "fail":
			failed = true
			if e.Test != "" {
				for _, l := range outputs[k] {
					if !strings.HasPrefix(l, "=== ") {
						io.WriteString(out, l)
					}
				}
			}
			delete(outputs, k)
		case "skip":
			if e.Test != "" {
				skips = append(skips, skip{k, reason(outputs[k])})
			}
			delete(outputs, k)
		case "pass":
			delete(outputs, k)
		}
	}
	return failed, skips, events
}

// reason is the last logged line of a skipped test (t.Skip's message).
func reason(lines []string) string {
	r := "(no reason given)"
	for _, l := range lines {
		if m := reasonLine.FindStringSubmatch(strings.TrimRight(l, "\n")); m != nil {
			r = m[1]
		}
	}
	return r
}

func printSkips(out io.Writer, skips []skip) {
	if len(skips) == 0 {
		fmt.Fprintln(out, "skipped: none")
		return
	}
	sort.Slice(skips, func(i, j int) bool {
		if skips[i].pkg != skips[j].pkg {
			return skips[i].pkg < skips[j].pkg
		}
		return skips[i].test < skips[j].test
	})
	fmt.Fprintf(out, "skipped: %d\n", len(skips))
	for _, s := range skips {
		fmt.Fprintf(out, "  SKIP %s %s: %s\n", s.pkg, s.test, s.reason)
	}
}
