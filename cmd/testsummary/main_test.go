package main

import (
	"os"
	"strings"
	"testing"
)

// testdata/events.json is `go test -json` of testdata/a_test.go.txt: a
// pass, a skip, a skipped and a failed subtest.
func TestSummarize(t *testing.T) {
	f, err := os.Open("testdata/events.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out, verbose strings.Builder
	failed, skips, events := summarize(f, &out, &verbose)
	printSkips(&out, skips)
	want := "    a_test.go:9: boom\n--- FAIL: TestSub/y (0.00s)\n--- FAIL: TestSub (0.00s)\nFAIL\nFAIL\ta\t0.003s\n" +
		"skipped: 2\n  SKIP a TestSkip: tmux not installed\n  SKIP a TestSub/x: no IPv6 loopback here: err\n"
	if !failed || events == 0 || out.String() != want {
		t.Errorf("failed=%v events=%d output:\n%s\nwant:\n%s", failed, events, out.String(), want)
	}
	if v := verbose.String(); !strings.Contains(v, "=== RUN   TestPass\n--- PASS: TestPass") || !strings.Contains(v, "a_test.go:6: first") {
		t.Errorf("verbose log lacks the -v text:\n%s", v)
	}
}

func TestNoSkips(t *testing.T) {
	var out strings.Builder
	printSkips(&out, nil)
	if out.String() != "skipped: none\n" {
		t.Errorf("%q", out.String())
	}
}
