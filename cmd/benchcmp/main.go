// Command benchcmp times two implementations of the same pcp_* command line
// side by side, for scripts/bench.sh. Runs alternate (stock, ours, ours,
// stock, …) so that load from other processes and pgpool's own state hit
// both equally; it reports medians of wall time and CPU time and the peak
// RSS, all read from the kernel's accounting of each child (wait4 rusage).
//
//	benchcmp -runs 41 -a /usr/sbin -b bin 'pcp_node_count -h 127.0.0.1 -p 9898 -w' …
//
// Each operand is a tool name and its arguments, split on spaces; the tool is
// looked up in the -a and -b directories.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

type sample struct {
	wall, cpu time.Duration
	rssKB     int64
}

type stats struct{ wall, cpu, rssMax time.Duration }

func main() {
	runs := flag.Int("runs", 41, "timed runs of each side")
	warmup := flag.Int("warmup", 3, "untimed runs of each side first")
	dirA := flag.String("a", "/usr/sbin", "directory of the reference tools")
	dirB := flag.String("b", "bin", "directory of the tools under test")
	flag.Parse()
	if flag.NArg() == 0 || *runs < 1 {
		fmt.Fprintln(os.Stderr, "usage: benchcmp [-runs n] [-warmup n] [-a dir] [-b dir] 'tool args' ...")
		os.Exit(2)
	}
	fmt.Printf("| command | stock median | pcpctl median | ratio | stock CPU | pcpctl CPU | stock max RSS | pcpctl max RSS |\n")
	fmt.Printf("|---|---:|---:|---:|---:|---:|---:|---:|\n")
	failed := false
	for _, spec := range flag.Args() {
		argv := strings.Fields(spec)
		a := append([]string{filepath.Join(*dirA, argv[0])}, argv[1:]...)
		b := append([]string{filepath.Join(*dirB, argv[0])}, argv[1:]...)
		if err := sameOutput(a, b); err != nil {
			fmt.Fprintf(os.Stderr, "benchcmp: %s: %v\n", spec, err)
			failed = true
			continue
		}
		var sa, sb []sample
		for i := 0; i < *warmup+*runs; i++ {
			first, second := a, b
			if i%2 == 1 {
				first, second = b, a
			}
			x, err := run(first)
			if err != nil {
				fmt.Fprintf(os.Stderr, "benchcmp: %s: %v\n", spec, err)
				os.Exit(1)
			}
			y, err := run(second)
			if err != nil {
				fmt.Fprintf(os.Stderr, "benchcmp: %s: %v\n", spec, err)
				os.Exit(1)
			}
			if i < *warmup {
				continue
			}
			if i%2 == 1 {
				x, y = y, x
			}
			sa, sb = append(sa, x), append(sb, y)
		}
		ma, mb := medians(sa), medians(sb)
		fmt.Printf("| `%s` | %s | %s | %.2f | %s | %s | %d KB | %d KB |\n", spec,
			ms(ma.wall), ms(mb.wall), float64(mb.wall)/float64(ma.wall),
			ms(ma.cpu), ms(mb.cpu), maxRSS(sa), maxRSS(sb))
	}
	if failed {
		os.Exit(1)
	}
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

func run(argv []string) (sample, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return sample{}, fmt.Errorf("%s: %v", argv[0], err)
	}
	wall := time.Since(start)
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return sample{wall: wall, cpu: cpu, rssKB: ru.Maxrss}, nil
}

func medians(s []sample) stats {
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

func maxRSS(s []sample) int64 {
	var m int64
	for _, x := range s {
		m = max(m, x.rssKB)
	}
	return m
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/1e6) }
