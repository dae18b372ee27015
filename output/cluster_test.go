package output

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

func trioCluster() *Cluster {
	c := &Cluster{Context: "demo"}
	for i := 0; i < 3; i++ {
		c.Pgpools = append(c.Pgpools, PgpoolView{
			Endpoint: "127.0.0.1:" + itoa(29898+10000*i),
			Nodes:    healthy(),
			Watchdog: pcptest.TrioView(i),
		})
	}
	return c
}

// splitCluster: the second pgpool has detached node 2 and promoted node 1
// on its own and claims to lead; the third is unreachable.
func splitCluster() *Cluster {
	c := trioCluster()
	l := healthy()
	l.Nodes[2].Info.Status = 3
	l.Nodes[0].Info.Role, l.Nodes[1].Info.Role = 3, 2
	c.Pgpools[1].Nodes = l
	c.Pgpools[1].Watchdog.Nodes[0].State, c.Pgpools[1].Watchdog.Nodes[0].StateName = 4, "LEADER"
	c.Pgpools[1].Watchdog.LeaderNodeName = pcptest.TrioName(1)
	c.Pgpools[2] = PgpoolView{Endpoint: c.Pgpools[2].Endpoint, Error: `connection to host "127.0.0.1" failed with error "Connection refused"`}
	return c
}

func TestClusterPrinters(t *testing.T) {
	for name, c := range map[string]*Cluster{"agree": trioCluster(), "split": splitCluster()} {
		for _, f := range Formats {
			t.Run(name+"_"+f, func(t *testing.T) {
				var b bytes.Buffer
				if err := Print(&b, Format(f), c); err != nil {
					t.Fatal(err)
				}
				if f == "table" || f == "json" {
					golden(t, "cluster_"+name+"."+f, b.Bytes())
				}
				if f == "json" {
					var doc struct {
						Healthy  bool `json:"healthy"`
						Warnings []struct {
							Message string `json:"message"`
						} `json:"warnings"`
					}
					if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
						t.Fatalf("json: %v", err)
					}
					if doc.Healthy != (name == "agree") || len(doc.Warnings) != len(c.Warnings()) {
						t.Errorf("healthy=%v, %d warnings", doc.Healthy, len(doc.Warnings))
					}
				}
			})
		}
	}
}

func TestClusterAgreeHasNoWarnings(t *testing.T) {
	c := trioCluster()
	if w := c.Warnings(); len(w) != 0 {
		t.Fatalf("warnings on a healthy trio: %q", w)
	}
	// waiting and up are the same to a client: not a disagreement.
	c.Pgpools[1].Nodes.Nodes[1].Info.Status = 1
	if w := c.Warnings(); len(w) != 0 {
		t.Fatalf("waiting vs up flagged: %q", w)
	}
}

func TestClusterWarningsNameHostsAndNode(t *testing.T) {
	w := splitCluster().Warnings()
	want := []string{
		`pgpool 127.0.0.1:49898 is unreachable: connection to host "127.0.0.1" failed with error "Connection refused"`,
		"node 2 (127.0.0.1:15434): pgpools disagree on its status: up on 127.0.0.1:29898; down on 127.0.0.1:39898",
		"pgpools disagree on the primary: node 0 on 127.0.0.1:29898; node 1 on 127.0.0.1:39898",
		"2 pgpools claim to be the watchdog leader: 127.0.0.1:29898, 127.0.0.1:39898",
		"pgpools disagree on the watchdog leader: 127.0.0.1:29999 Linux vm on 127.0.0.1:29898; 127.0.0.1:39999 Linux vm on 127.0.0.1:39898",
		"node 0: pgpool says standby but the backend is primary (seen by 127.0.0.1:39898)",
		"node 1: pgpool says primary but the backend is standby (seen by 127.0.0.1:39898)",
		"node 2 (127.0.0.1:15434) is down (seen by 127.0.0.1:39898)",
		"node 2: pgpool says down but the backend is up (seen by 127.0.0.1:39898)",
	}
	if strings.Join(w, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings\n%s\nwant\n%s", strings.Join(w, "\n"), strings.Join(want, "\n"))
	}
}

func TestClusterSameFindingOnce(t *testing.T) {
	c := trioCluster()
	for i := range c.Pgpools {
		c.Pgpools[i].Nodes.Nodes[2].Info.Status = 3
	}
	w := c.Warnings()
	if len(w) != 2 || w[0] != "node 2 (127.0.0.1:15434) is down (seen by 127.0.0.1:29898, 127.0.0.1:39898, 127.0.0.1:49898)" ||
		w[1] != "node 2: pgpool says down but the backend is up (seen by 127.0.0.1:29898, 127.0.0.1:39898, 127.0.0.1:49898)" {
		t.Errorf("warnings %q", w)
	}
}

func TestClusterWatchDiffHighlightsChangedCells(t *testing.T) {
	prev, cur := trioCluster(), trioCluster()
	cur.Pgpools[0].Nodes.Nodes[2].Info.Status = 3
	var b bytes.Buffer
	b.WriteString(secondFrame(t, prev, cur))
	// The changed cell, and the two that gained the disagreement marker.
	if !strings.Contains(b.String(), "<down standby !>") || strings.Count(b.String(), "<up standby !>") != 2 || strings.Count(b.String(), "<") != 3 {
		t.Errorf("diff:\n%s", b.String())
	}
}
