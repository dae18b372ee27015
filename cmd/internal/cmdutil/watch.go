package cmdutil

import (
	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/output"
)

// Stream starts a watch's printer on io: the terminal's escapes come from
// here, as output/ knows nothing of terminals.
func Stream(io *iostreams.IOStreams, f output.Format, title string) (*output.Stream, error) {
	return output.NewStream(f, output.StreamOptions{
		Out: io.Out, ErrOut: io.ErrOut, Title: title, TTY: io.IsStdoutTTY(),
		Clear:     iostreams.ClearScreen,
		Highlight: func(s string) string { return iostreams.HighlightOn + s + iostreams.HighlightOff },
	})
}
