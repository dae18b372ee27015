package factory

import (
	"fmt"
	"io"
	"strings"

	"github.com/pcpctl/pcpctl/pcp"
)

// tracer writes one line per packet: direction, message type and length.
// Payloads are never written, so no password or digest can leak.
type tracer struct{ w io.Writer }

func newTracer(w io.Writer) pcp.Tracer { return &tracer{w} }

func (t *tracer) TraceSend(msg pcp.FrontendMessage, length int) {
	fmt.Fprintf(t.w, "pcpctl: trace: send %s len=%d\n", typeName(msg), length)
}

func (t *tracer) TraceReceive(kind byte, length int, msg pcp.BackendMessage) {
	fmt.Fprintf(t.w, "pcpctl: trace: recv %q %s len=%d\n", kind, typeName(msg), length)
}

func typeName(v any) string {
	s := fmt.Sprintf("%T", v)
	return strings.TrimPrefix(s, "*pcp.")
}
