package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/pcpctl/pcpctl"

func goTool(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// goList runs go list in the module root and returns its non-empty lines.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	cmd := exec.Command(goTool(t), append([]string{"list"}, args...)...)
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v\n%s", args, err, stderr.String())
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	slices.Sort(lines)
	return slices.Compact(lines)
}

// TestImportsMatchPcpctl: the floor imports exactly the third-party packages
// that pcpctl's own packages import, so a new dependency (or a dropped one)
// moves the floor with it.
func TestImportsMatchPcpctl(t *testing.T) {
	var want []string
	for _, p := range goList(t, "-deps", "-f",
		`{{if and .Module (eq .Module.Path "`+module+`")}}{{join .Imports "\n"}}{{end}}`, "./cmd/pcpctl") {
		if !strings.HasPrefix(p, module+"/") && strings.Contains(strings.SplitN(p, "/", 2)[0], ".") {
			want = append(want, p)
		}
	}
	got := goList(t, "-f", `{{join .Imports "\n"}}`, "./cmd/benchfloor")
	if !slices.Equal(got, want) {
		t.Errorf("cmd/benchfloor imports\n  %s\npcpctl's packages import\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// TestCoversDirectRequires: every module go.mod requires directly is linked
// by the floor (a direct require pcpctl does not use belongs in another
// binary, such as cmd/gendocs, and says so here).
func TestCoversDirectRequires(t *testing.T) {
	f, err := os.Open("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var direct []string
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "require (":
			in = true
		case line == ")":
			in = false
		case in && line != "" && !strings.HasSuffix(line, "// indirect"):
			direct = append(direct, strings.Fields(line)[0])
		case strings.HasPrefix(line, "require ") && !strings.HasSuffix(line, "// indirect"):
			direct = append(direct, strings.Fields(line)[1])
		}
	}
	if len(direct) == 0 {
		t.Fatal("no direct requires found in go.mod")
	}
	imports := goList(t, "-f", `{{join .Imports "\n"}}`, "./cmd/benchfloor")
	for _, m := range direct {
		if !slices.ContainsFunc(imports, func(p string) bool { return p == m || strings.HasPrefix(p, m+"/") }) {
			t.Errorf("go.mod requires %s directly, but the floor does not link it", m)
		}
	}
}
