// Package statuscodes implements "pcpctl status-codes": the legend of
// pgpool's backend status values, roles and pcpctl's exit codes.
package statuscodes

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/cmd/compat"
	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/health"
	"github.com/pcpctl/pcpctl/output"
)

// Options are status-codes' inputs.
type Options struct {
	IO     *iostreams.IOStreams
	Format output.Format
}

// NewCmdStatusCodes builds the command; it never contacts pgpool.
func NewCmdStatusCodes(ios *iostreams.IOStreams, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: ios}
	var format string
	cmd := &cobra.Command{
		Use:   "status-codes",
		Short: "Explain backend status codes, roles, exit codes and supported releases",
		Long:  "Explain backend status codes, roles, the exit codes of pcpctl and of the pcp_* tools in both\ntheir forms, and the pgpool-II releases pcpctl supports. The legend, as printed:\n\n" + indent(Legend()),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "", "plain", "table":
				opts.Format = output.FormatPlain
			case "json", "yaml":
				opts.Format = output.Format(format)
			default:
				return exitcode.Usage(fmt.Errorf("invalid output format %q: want plain, json or yaml", format))
			}
			if runF != nil {
				return runF(opts)
			}
			return Run(opts)
		},
	}
	cmd.Flags().StringVarP(&format, "output", "o", "", "output format: plain (default), json, yaml")
	return cmd
}

// Status is one backend status value pgpool sends.
type Status struct {
	Code    int
	Name    string
	Meaning string
}

// Statuses are the values of pcp_node_info's status field, identical from
// pgpool-II 3.0 to 4.7.
var Statuses = []Status{
	{0, health.StatusUnused, "slot not in use (initialisation only)"},
	{1, health.StatusWaiting, "up, but no client connection has been made to it yet (\"connect wait\"); counts as up"},
	{2, health.StatusUp, "up, connections pooled"},
	{3, health.StatusDown, "detached or down; pgpool sends it no queries"},
	{3, health.StatusQuarantine, "status 3 with the quarantine flag: detached because the watchdog lacked consensus (3.7+); comes back by itself"},
}

// Classic is the 1-6 table of the pgpool-II 3.x operator guide.
var Classic = []Status{
	{1, "connected", "node connected"},
	{2, "idle", "node connected, idle"},
	{3, "disconnected", "node disconnected"},
	{4, "error", "node in error"},
	{5, "fatal error", "node in fatal error"},
	{6, "deadlock", "deadlock detected"},
}

// Roles are the role values (node info, 3.7+).
var Roles = []Status{
	{0, health.RoleMain, "the main node in non-streaming modes (\"master\" before 4.2)"},
	{1, health.RoleReplica, "the other nodes in non-streaming modes (\"slave\" before 4.2)"},
	{2, health.RolePrimary, "streaming replication: the read-write node"},
	{3, health.RoleStandby, "streaming replication: a read-only node"},
}

// ClusteringModes are backend_clustering_mode's values (4.2+), in
// pgpool's enum order: pcp_pool_status sends the number.
var ClusteringModes = []Status{
	{1, string(health.ModeStreaming), "primary + standbys (roles primary, standby); promote, follow_primary"},
	{2, string(health.ModeNative), "pgpool writes to every node (main, replica); no promote; recovery in 2 stages"},
	{3, string(health.ModeLogical), "logical replication by PostgreSQL (main, replica); no promote"},
	{4, string(health.ModeSlony), "Slony-I replication (main, replica); no promote"},
	{5, string(health.ModeRaw), "no replication: pgpool uses the first up node (main, replica)"},
	{6, string(health.ModeSnapshot), "as native_replication, with consistent snapshots; no promote; 2 stages"},
}

const classicNote = "The classic pgpool-II 3.x operator guide lists the values below. They are\n" +
	"not what pgpool sends: only 0-3 are ever sent by a real server, in every\n" +
	"release from 3.0 to 4.7. Should a 4, 5 or 6 ever appear, pcpctl prints\n" +
	"\"unknown\"."

// Run prints the legend.
func Run(o *Options) error {
	switch o.Format {
	case output.FormatJSON, output.FormatYAML:
		rec := output.Record{
			{Key: "status", Value: records(Statuses)},
			{Key: "role", Value: records(Roles)},
			{Key: "clustering_mode", Value: records(ClusteringModes)},
			{Key: "classic_operator_guide", Value: records(Classic)},
			{Key: "classic_note", Value: strings.ReplaceAll(classicNote, "\n", " ")},
			{Key: "exit_codes", Value: exitRecords()},
			{Key: "pcp_exit_codes", Value: []output.Record{
				{{Key: "code", Value: 0}, {Key: "meaning", Value: pcpExit0}},
				{{Key: "code", Value: 1}, {Key: "meaning", Value: pcpExit1}},
			}},
			{Key: "legacy_exit_codes", Value: legacyRecords()},
			{Key: "releases", Value: releaseRecords()},
		}
		if o.Format == output.FormatJSON {
			return output.WriteJSON(o.IO.Out, rec)
		}
		return output.WriteYAML(o.IO.Out, rec)
	}
	_, err := io.WriteString(o.IO.Out, Legend())
	return err
}

const (
	pcpExit0 = "success, and also most errors pgpool reports (message on stderr)"
	pcpExit1 = "usage errors, connection and authentication failures"
)

// Legend is the plain-text explanation of every code.
func Legend() string {
	var b strings.Builder
	b.WriteString("Backend status (status_code; pcp_node_info's 3rd field, SHOW pool_nodes' status word):\n")
	table(&b, Statuses)
	b.WriteString("\nRole (pcp_node_info role, SHOW pool_nodes role):\n")
	table(&b, Roles)
	b.WriteString("\nThe backend's own view (4.3+): pg_status is up/down/unknown from a live\n" +
		"check. pg_role, in streaming replication, is primary/standby/unknown from\n" +
		"pg_is_in_recovery(); in every other mode pgpool copies the role (main,\n" +
		"replica) without asking the backend, so only node list --check-backends\n" +
		"finds a replica that cannot take writes (in recovery). pcpctl marks a\n" +
		"disagreement with pgpool's status and role with \"!\".\n")
	b.WriteString("\nClustering mode (backend_clustering_mode; pcp_pool_status prints the number,\n" +
		"pcpctl pool config the name and [number]):\n")
	tableWidth(&b, ClusteringModes, len(health.ModeStreaming))
	b.WriteString("\n" + classicNote + "\n")
	table(&b, Classic)
	b.WriteString("\npcpctl exit codes:\n")
	WriteExitCodes(&b)
	b.WriteString("\npcp_* tools, 4.3.5 form (pcp_node_info -h host -n 1), as the stock tools:\n")
	fmt.Fprintf(&b, "  %2d  %s\n  %2d  %s\n", 0, pcpExit0, 1, pcpExit1)
	b.WriteString("\npcp_* tools, legacy 3.x form (pcp_node_info 10 host 9898 user pass 1); the name\nis printed on stdout:\n")
	for _, e := range compat.LegacyExitCodes() {
		fmt.Fprintf(&b, "  %2d  %-21s %s\n", e.Code, e.Name, e.Meaning)
	}
	b.WriteString("\npgpool-II releases (each reply is read by its shape; PCPCTL_COMPAT picks whose\nclient behaviour the pcp_* names follow):\n")
	for _, n := range compat.Support {
		fmt.Fprintf(&b, "  %-8s %s\n", n.Releases, n.Note)
	}
	return b.String()
}

func releaseRecords() []output.Record {
	out := make([]output.Record, len(compat.Support))
	for i, n := range compat.Support {
		out[i] = output.Record{{Key: "releases", Value: n.Releases}, {Key: "note", Value: n.Note}}
	}
	return out
}

// indent makes the legend a preformatted block in help and man pages.
func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ") + "\n"
}

func legacyRecords() []output.Record {
	out := make([]output.Record, len(compat.LegacyExitCodes()))
	for i, e := range compat.LegacyExitCodes() {
		out[i] = output.Record{{Key: "code", Value: e.Code}, {Key: "name", Value: e.Name}, {Key: "meaning", Value: e.Meaning}}
	}
	return out
}

func table(b *strings.Builder, rows []Status) { tableWidth(b, rows, 12) }

// tableWidth aligns the meanings after names of up to width characters.
func tableWidth(b *strings.Builder, rows []Status, width int) {
	for _, s := range rows {
		fmt.Fprintf(b, "  %d  %-*s %s\n", s.Code, width, s.Name, s.Meaning)
	}
}

func records(rows []Status) []output.Record {
	out := make([]output.Record, len(rows))
	for i, s := range rows {
		out[i] = output.Record{{Key: "code", Value: s.Code}, {Key: "name", Value: s.Name}, {Key: "meaning", Value: s.Meaning}}
	}
	return out
}

func exitRecords() []output.Record {
	out := make([]output.Record, len(exitcode.Table))
	for i, e := range exitcode.Table {
		out[i] = output.Record{{Key: "code", Value: e.Code}, {Key: "meaning", Value: e.Meaning}}
	}
	return out
}

// WriteExitCodes writes exitcode.Table, one code a line.
func WriteExitCodes(w io.Writer) {
	for _, e := range exitcode.Table {
		fmt.Fprintf(w, "  %2d  %s\n", e.Code, e.Meaning)
	}
}
