package statuscodes

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/output"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestStatusCodes(t *testing.T) {
	for _, f := range []output.Format{output.FormatPlain, output.FormatJSON, output.FormatYAML} {
		ios, _, out, _ := iostreams.Test()
		if err := Run(&Options{IO: ios, Format: f}); err != nil {
			t.Fatal(err)
		}
		path := "testdata/status-codes." + string(f)
		if *update {
			os.WriteFile(path, out.Bytes(), 0o644)
			continue
		}
		want, _ := os.ReadFile(path)
		if !bytes.Equal(out.Bytes(), want) {
			t.Errorf("%s differs:\n%s", path, out)
		}
	}
	ios, _, out, _ := iostreams.Test()
	Run(&Options{IO: ios, Format: output.FormatPlain})
	for _, s := range []string{"  1  waiting", "  3  quarantine   status 3 with the quarantine flag", "  6  deadlock", "only 0-3 are ever sent by a real server", "  25  cluster unhealthy",
		"   1  usage errors, connection and authentication failures", "  12  BackendError", "  13  AuthorizationError",
		"  4.6      pcp_log_rotate, pcp_invalidate_query_cache. Real 4.6.1 server", "  3.0-3.4  positional tools"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("missing %q", s)
		}
	}
	ios, _, out, _ = iostreams.Test()
	Run(&Options{IO: ios, Format: output.FormatJSON})
	var doc struct {
		Status []struct {
			Code int
			Name string
		}
		ClassicOperatorGuide []struct{ Code int } `json:"classic_operator_guide"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil || len(doc.Status) != 5 || len(doc.ClassicOperatorGuide) != 6 || doc.Status[1].Name != "waiting" {
		t.Errorf("json %v %+v", err, doc)
	}
}
