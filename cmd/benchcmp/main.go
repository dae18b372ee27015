// Command benchcmp times implementations of the same pcp_* command line side
// by side, for scripts/bench.sh. Runs alternate, each round in another order
// (all orders in turn), so that load from other processes and pgpool's own
// state hit every side equally; it reports medians of wall time and CPU time
// and the peak RSS, all read from the kernel's accounting of each child
// (wait4 rusage), as one Markdown table.
//
//	benchcmp -runs 41 -a /usr/sbin -b bin -floor bin/benchfloor 'pcp_node_count -h 127.0.0.1 -p 9898 -w' …
//
// Each operand is a tool name and its arguments, split on spaces; the tool is
// looked up in the -a and -b directories. The floor (a program that only
// links pcpctl's dependencies) runs with the same arguments and ignores them.
//
//	benchcmp -runs 21 -vs 'label' 'shell command' 'command'
//
// times a shell command line (run by /bin/sh -c, its children included)
// against a command split on spaces.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type sample struct{ wall, cpu time.Duration }

// rssRuns is how many untimed, traced runs of each side measure peak RSS.
const rssRuns = 5

// ptraceOExitKill is PTRACE_O_EXITKILL (linux/ptrace.h), missing from
// package syscall: a traced child dies with benchcmp instead of hanging.
const ptraceOExitKill = 0x100000

type stats struct {
	wall, cpu time.Duration
	rssKB     int64
}

type side struct {
	name string
	argv []string
}

func main() {
	runs := flag.Int("runs", 41, "timed runs of each side")
	warmup := flag.Int("warmup", 3, "untimed runs of each side first")
	dirA := flag.String("a", "/usr/sbin", "directory of the reference tools")
	dirB := flag.String("b", "bin", "directory of the tools under test")
	floor := flag.String("floor", "", "the floor program (optional)")
	vs := flag.String("vs", "", "label: time the shell command in operand 1 against the command in operand 2")
	flag.Parse()
	if flag.NArg() == 0 || *runs < 1 || (*vs != "" && flag.NArg() != 2) {
		fmt.Fprintln(os.Stderr, "usage: benchcmp [-runs n] [-warmup n] [-a dir] [-b dir] [-floor path] 'tool args' ...")
		fmt.Fprintln(os.Stderr, "       benchcmp [-runs n] [-warmup n] -vs label 'shell command' 'command'")
		os.Exit(2)
	}
	if *vs != "" {
		compareShell(*vs, flag.Arg(0), flag.Arg(1), *runs, *warmup)
		return
	}
	compareTools(flag.Args(), *dirA, *dirB, *floor, *runs, *warmup)
}

func compareTools(specs []string, dirA, dirB, floor string, runs, warmup int) {
	withFloor := floor != ""
	if withFloor {
		fmt.Println("| command | | C | pcpctl | floor | pcpctl / C | pcpctl / floor | floor / C |")
		fmt.Println("|---|---|---:|---:|---:|---:|---:|---:|")
	} else {
		fmt.Println("| command | | C | pcpctl | pcpctl / C |")
		fmt.Println("|---|---|---:|---:|---:|")
	}
	failed := false
	var lastA, lastB string
	for _, spec := range specs {
		argv := strings.Fields(spec)
		a := side{"stock", append([]string{filepath.Join(dirA, argv[0])}, argv[1:]...)}
		b := side{"pcpctl", append([]string{filepath.Join(dirB, argv[0])}, argv[1:]...)}
		lastA, lastB = a.argv[0], b.argv[0]
		if err := sameOutput(a.argv, b.argv); err != nil {
			fmt.Fprintf(os.Stderr, "benchcmp: %s: %v\n", spec, err)
			failed = true
			continue
		}
		sides := []side{a, b}
		if withFloor {
			sides = append(sides, side{"floor", append([]string{floor}, argv[1:]...)})
		}
		st, err := alternate(sides, runs, warmup)
		if err != nil {
			fmt.Fprintf(os.Stderr, "benchcmp: %s: %v\n", spec, err)
			os.Exit(1)
		}
		row := func(what string, f func(stats) float64, unit func(float64) string) {
			fmt.Printf("| `%s` | %s | %s | %s |", spec, what, unit(f(st[0])), unit(f(st[1])))
			if withFloor {
				fmt.Printf(" %s | %s | %s | %s |", unit(f(st[2])), ratio(f(st[1]), f(st[0])), ratio(f(st[1]), f(st[2])), ratio(f(st[2]), f(st[0])))
			} else {
				fmt.Printf(" %s |", ratio(f(st[1]), f(st[0])))
			}
			fmt.Println()
		}
		row("wall", func(s stats) float64 { return float64(s.wall) }, msUnit)
		row("CPU", func(s stats) float64 { return float64(s.cpu) }, msUnit)
		row("peak RSS", func(s stats) float64 { return float64(s.rssKB) }, func(v float64) string { return fmt.Sprintf("%.0f KB", v) })
	}
	if lastA != "" {
		sizes := []float64{fileSize(lastA), fileSize(lastB)}
		if withFloor {
			sizes = append(sizes, fileSize(floor))
		}
		fmt.Printf("| executable | size |")
		for _, s := range sizes {
			fmt.Printf(" %.2f MiB |", s/(1<<20))
		}
		if withFloor {
			fmt.Printf(" %s | %s | %s |", ratio(sizes[1], sizes[0]), ratio(sizes[1], sizes[2]), ratio(sizes[2], sizes[0]))
		} else {
			fmt.Printf(" %s |", ratio(sizes[1], sizes[0]))
		}
		fmt.Println()
	}
	if failed {
		os.Exit(1)
	}
}

func compareShell(label, script, command string, runs, warmup int) {
	a := side{"script", []string{"/bin/sh", "-c", script}}
	b := side{"pcpctl", strings.Fields(command)}
	for _, s := range []side{a, b} {
		if out, err := exec.Command(s.argv[0], s.argv[1:]...).CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "benchcmp: %s: %s: %v\n%s", label, s.name, err, out)
			os.Exit(1)
		}
	}
	st, err := alternate([]side{a, b}, runs, warmup)
	if err != nil {
		fmt.Fprintf(os.Stderr, "benchcmp: %s: %v\n", label, err)
		os.Exit(1)
	}
	fmt.Println("| what | script wall | pcpctl wall | pcpctl / script | script CPU | pcpctl CPU | pcpctl peak RSS |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|")
	fmt.Printf("| %s | %s | %s | %s | %s | %s | %d KB |\n", label,
		msUnit(float64(st[0].wall)), msUnit(float64(st[1].wall)), ratio(float64(st[1].wall), float64(st[0].wall)),
		msUnit(float64(st[0].cpu)), msUnit(float64(st[1].cpu)), st[1].rssKB)
}

// alternate runs warmup+runs rounds of every side, each round in the next of
// all the sides' orders, and returns each side's medians and largest RSS.
func alternate(sides []side, runs, warmup int) ([]stats, error) {
	orders := permutations(len(sides))
	samples := make([][]sample, len(sides))
	for i := 0; i < warmup+runs; i++ {
		for _, j := range orders[i%len(orders)] {
			s, err := run(sides[j].argv)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", sides[j].name, err)
			}
			if i >= warmup {
				samples[j] = append(samples[j], s)
			}
		}
	}
	st := make([]stats, len(sides))
	for j, s := range samples {
		st[j] = summarise(s)
		for range rssRuns {
			kb, err := peakRSS(sides[j].argv)
			if err != nil {
				return nil, fmt.Errorf("%s: peak RSS: %v", sides[j].name, err)
			}
			st[j].rssKB = max(st[j].rssKB, kb)
		}
	}
	return st, nil
}

func permutations(n int) [][]int {
	if n == 1 {
		return [][]int{{0}}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for pos := 0; pos <= len(p); pos++ {
			q := slices.Insert(slices.Clone(p), pos, n-1)
			out = append(out, q)
		}
	}
	return out
}

// sameOutput runs both once and insists on the same exit status and output,
// so that a misconfigured run (wrong port, missing password) is not timed.
func sameOutput(a, b []string) error {
	var outA, outB, errA, errB bytes.Buffer
	ca := exec.Command(a[0], a[1:]...)
	ca.Stdout, ca.Stderr = &outA, &errA
	cb := exec.Command(b[0], b[1:]...)
	cb.Stdout, cb.Stderr = &outB, &errB
	ea, eb := ca.Run(), cb.Run()
	if ea != nil || eb != nil {
		return fmt.Errorf("stock: %v %q; ours: %v %q", ea, errA.String(), eb, errB.String())
	}
	if !bytes.Equal(errA.Bytes(), errB.Bytes()) {
		return fmt.Errorf("stderr differs: stock %q, ours %q", errA.String(), errB.String())
	}
	if !bytes.Equal(outA.Bytes(), outB.Bytes()) {
		// Node info carries live replication figures that may move between
		// the two runs; the shape must still agree.
		if bytes.Count(outA.Bytes(), []byte("\n")) != bytes.Count(outB.Bytes(), []byte("\n")) {
			return fmt.Errorf("outputs differ:\nstock:\n%s\nours:\n%s", outA.String(), outB.String())
		}
	}
	return nil
}

// run times one child. Its output goes to /dev/null (exec's default), so
// no side pays for a pipe the others do not have.
func run(argv []string) (sample, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return sample{}, fmt.Errorf("%s: %v", argv[0], err)
	}
	wall := time.Since(start)
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return sample{wall: wall, cpu: cpu}, nil
}

// peakRSS runs argv once under ptrace and reads the largest resident set of
// its own address space (VmHWM) when it exits. wait4's ru_maxrss cannot
// serve: Go starts children with vfork, so each child's figure starts at
// this process's RSS, which is larger than a C tool's.
func peakRSS(argv []string) (int64, error) {
	// ptrace requests must come from the thread that started the child.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Ptrace: true}
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	pid := cmd.Process.Pid
	var ws syscall.WaitStatus
	// The child stops at its exec; from there, stop it once more as it exits.
	if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil {
		return 0, err
	}
	if !ws.Stopped() {
		return 0, fmt.Errorf("%s did not start: %v", argv[0], ws)
	}
	if err := syscall.PtraceSetOptions(pid, syscall.PTRACE_O_TRACEEXIT|ptraceOExitKill); err != nil {
		return 0, err
	}
	var kb int64 = -1
	for {
		if err := syscall.PtraceCont(pid, 0); err != nil {
			return 0, err
		}
		if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil {
			return 0, err
		}
		if ws.Exited() || ws.Signaled() {
			break
		}
		if ws.Stopped() && ws.TrapCause() == syscall.PTRACE_EVENT_EXIT {
			kb = vmHWM(pid)
		}
	}
	if !ws.Exited() || ws.ExitStatus() != 0 {
		return 0, fmt.Errorf("%s: %v", argv[0], ws)
	}
	if kb < 0 {
		return 0, fmt.Errorf("%s: no exit stop", argv[0])
	}
	return kb, nil
}

func vmHWM(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err == nil {
				return n
			}
		}
	}
	return -1
}

func summarise(s []sample) stats {
	w := make([]time.Duration, len(s))
	c := make([]time.Duration, len(s))
	for i, x := range s {
		w[i], c[i] = x.wall, x.cpu
	}
	return stats{wall: median(w), cpu: median(c)}
}

func median(d []time.Duration) time.Duration {
	slices.Sort(d)
	n := len(d)
	if n%2 == 1 {
		return d[n/2]
	}
	return (d[n/2-1] + d[n/2]) / 2
}

func fileSize(path string) float64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return float64(fi.Size())
}

func msUnit(ns float64) string { return fmt.Sprintf("%.2f ms", ns/1e6) }

func ratio(x, y float64) string {
	if y == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", x/y)
}
