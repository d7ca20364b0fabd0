//go:build bench

package bench

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
)

// sample is a run's latencies and how long the run took.
type sample struct {
	lat     []time.Duration
	elapsed time.Duration
	errors  int
}

// pct is the nearest-rank percentile p (0-100) of the latencies.
func (s sample) pct(p float64) time.Duration {
	if len(s.lat) == 0 {
		return 0
	}
	sorted := slices.Clone(s.lat)
	slices.Sort(sorted)
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// rate is completed operations per second.
func (s sample) rate() float64 {
	if s.elapsed <= 0 {
		return 0
	}
	return float64(len(s.lat)) / s.elapsed.Seconds()
}

func (s sample) String() string {
	e := ""
	if s.errors > 0 {
		e = fmt.Sprintf("  ERRORS %d", s.errors)
	}
	return fmt.Sprintf("n=%-6d p50 %7s  p99 %7s  max %7s  %8.0f/s%s",
		len(s.lat), ms(s.pct(50)), ms(s.pct(99)), ms(s.pct(100)), s.rate(), e)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

// figure is one line of the summary: a measured value and its target.
type figure struct {
	dialect, target, value, goal, verdict string
}

var (
	summaryMu sync.Mutex
	summary   []figure
)

// record prints a figure now and keeps it for the summary. met is nil when
// the figure has no target.
func record(dialect, target, value, goal string, met *bool) {
	v := ""
	if met != nil {
		v = "met"
		if !*met {
			v = "MISSED"
		}
	}
	fmt.Printf("   %-44s %-30s %-16s %s\n", target, value, goal, v)
	summaryMu.Lock()
	summary = append(summary, figure{dialect, target, value, goal, v})
	summaryMu.Unlock()
}

func check(ok bool) *bool { return &ok }

func printSummary() {
	summaryMu.Lock()
	defer summaryMu.Unlock()
	fmt.Printf("\n== Summary (targets are goals, not gates: a miss never fails the build)\n")
	fmt.Printf("%-9s %-44s %-30s %-16s %s\n", "database", "figure", "value", "target", "")
	fmt.Println(strings.Repeat("-", 110))
	for _, f := range summary {
		fmt.Printf("%-9s %-44s %-30s %-16s %s\n", f.dialect, f.target, f.value, f.goal, f.verdict)
	}
	fmt.Println()
}
