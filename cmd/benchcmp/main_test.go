package main

import (
	"fmt"
	"testing"
	"time"
)

// Every order appears once, so over a multiple of n! rounds each side runs
// in each position equally often.
func TestPermutations(t *testing.T) {
	for n, count := range map[int]int{1: 1, 2: 2, 3: 6} {
		ps := permutations(n)
		if len(ps) != count {
			t.Fatalf("permutations(%d): %d orders, want %d", n, len(ps), count)
		}
		seen := map[string]bool{}
		pos := make([][]int, n) // pos[side][position]
		for i := range pos {
			pos[i] = make([]int, n)
		}
		for _, p := range ps {
			if len(p) != n || seen[fmt.Sprint(p)] {
				t.Fatalf("permutations(%d): %v repeated or the wrong length", n, p)
			}
			seen[fmt.Sprint(p)] = true
			for at, side := range p {
				pos[side][at]++
			}
		}
		for side := range pos {
			for at, c := range pos[side] {
				if c != count/n {
					t.Errorf("permutations(%d): side %d at position %d %d times, want %d", n, side, at, c, count/n)
				}
			}
		}
	}
}

func TestMedian(t *testing.T) {
	if got := median([]time.Duration{5, 1, 3}); got != 3 {
		t.Errorf("median of 5,1,3 = %v, want 3", got)
	}
	if got := median([]time.Duration{4, 1, 3, 2}); got != 2 {
		t.Errorf("median of 4,1,3,2 = %v, want 2 (2.5 truncated)", got)
	}
}
