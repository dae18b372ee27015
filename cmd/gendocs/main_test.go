package main

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pcpctl/pcpctl/cmd/compat"
)

// TestCommittedFilesAreCurrent regenerates everything and compares it
// with completions/ and man/ in the repository.
func TestCommittedFilesAreCurrent(t *testing.T) {
	tmp := t.TempDir()
	if err := generate(tmp); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"completions", "man"} {
		gen := list(t, filepath.Join(tmp, sub))
		committed := list(t, filepath.Join("..", "..", sub))
		if strings.Join(gen, " ") != strings.Join(committed, " ") {
			t.Errorf("%s/ holds %v, generator writes %v: run go run ./cmd/gendocs", sub, committed, gen)
		}
		for _, name := range gen {
			want, _ := os.ReadFile(filepath.Join(tmp, sub, name))
			got, _ := os.ReadFile(filepath.Join("..", "..", sub, name))
			if !bytes.Equal(got, want) {
				t.Errorf("%s/%s is stale: run go run ./cmd/gendocs", sub, name)
			}
		}
	}
	// Every pcp_* tool and every modern command has a page.
	man := strings.Join(list(t, filepath.Join(tmp, "man")), " ")
	for _, n := range append(compat.Names(), "pcpctl", "pcpctl-node-list", "pcpctl-node-detach", "pcpctl-watchdog-status", "pcpctl-status-codes") {
		if !strings.Contains(man, n+".1") {
			t.Errorf("no man page for %s", n)
		}
	}
	page, _ := os.ReadFile(filepath.Join(tmp, "man", "pcpctl.1"))
	if !bytes.Contains(page, []byte("25  cluster unhealthy")) {
		t.Error("pcpctl.1 lacks the exit code table")
	}
	page, _ = os.ReadFile(filepath.Join(tmp, "man", "pcp_node_info.1"))
	if !bytes.Contains(page, []byte("-n, --node-id=NODEID")) {
		t.Errorf("pcp_node_info.1 lacks the usage:\n%s", page)
	}
}

func list(t *testing.T, dir string) []string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}
