// Command benchfloor is the floor that scripts/bench.sh measures pcpctl
// against: a program that links the same third-party packages as pcpctl, at
// the versions go.mod pins, and does nothing. Its cost is what the Go runtime
// and those packages' initialisers force on every process start; whatever
// pcpctl costs above it is pcpctl's own. floor_test.go keeps the import list
// equal to what pcpctl imports, so the floor follows the dependencies.
package main

import (
	_ "github.com/jackc/pgx/v5/pgconn"
	_ "github.com/olekukonko/tablewriter"
	_ "github.com/olekukonko/tablewriter/renderer"
	_ "github.com/olekukonko/tablewriter/tw"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/prometheus/client_golang/prometheus/promhttp"
	_ "github.com/spf13/cobra"
	_ "github.com/spf13/pflag"
	_ "go.yaml.in/yaml/v3"
	_ "golang.org/x/sys/unix"
	_ "golang.org/x/term"
)

func main() {}
