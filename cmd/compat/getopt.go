package compat

import (
	"fmt"
	"strings"
)

// This is glibc's getopt_long as the stock tools experience it: argument
// permutation (options may follow operands), "--" ends options, bundled short
// options, attached or separate arguments, unique prefixes of long options,
// and glibc's exact complaint texts, which name argv[0] as invoked.

type longOption struct {
	name   string
	hasArg bool
	val    byte
}

// longOptions is the one table all pcp_* tools share, in its C order (the
// order matters for ambiguity messages).
var longOptions = []longOption{
	{"help", false, '?'},
	{"debug", false, 'd'},
	{"version", false, 'V'},
	{"host", true, 'h'},
	{"port", true, 'p'},
	{"process-id", true, 'P'},
	{"username", true, 'U'},
	{"no-password", false, 'w'},
	{"password", false, 'W'},
	{"mode", true, 'm'},
	{"scope", true, 's'},
	{"gracefully", false, 'g'},
	{"switchover", false, 's'},
	{"verbose", false, 'v'},
	{"all", false, 'a'},
	{"node-id", true, 'n'},
	{"watchdog-id", true, 'n'},
}

// option is one parsed option. A failed parse has opt '?' and complaint set
// to glibc's message; --help and --version come through as '?' and 'V'
// without a complaint.
type option struct {
	opt       byte
	arg       string
	hasArg    bool // a long option without argument (--switchover) has none
	complaint string
}

// getopt parses argv[1:] against optstring. It returns the options in order,
// stopping after the first failed one, and the operands.
// posixly is POSIXLY_CORRECT: stop at the first operand.
func getopt(argv []string, optstring string, posixly bool) (opts []option, operands []string) {
	argv0 := argv[0]
	args := argv[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			operands = append(operands, args[i+1:]...)
			return opts, operands
		}
		if len(a) < 2 || a[0] != '-' {
			if posixly {
				operands = append(operands, args[i:]...)
				return opts, operands
			}
			operands = append(operands, a)
			continue
		}
		if strings.HasPrefix(a, "--") {
			o, consumed := parseLong(argv0, a[2:], args[i+1:])
			i += consumed
			opts = append(opts, o)
			if o.complaint != "" {
				return opts, operands
			}
			continue
		}
		// A cluster of short options: -wv, -n0, -n 0.
		for j := 1; j < len(a); j++ {
			c := a[j]
			k := strings.IndexByte(optstring, c)
			if c == ':' || k < 0 {
				opts = append(opts, option{opt: '?', complaint: fmt.Sprintf("%s: invalid option -- '%c'\n", argv0, c)})
				return opts, operands
			}
			if k+1 < len(optstring) && optstring[k+1] == ':' {
				switch {
				case j+1 < len(a):
					opts = append(opts, option{opt: c, arg: a[j+1:], hasArg: true})
				case i+1 < len(args):
					i++
					opts = append(opts, option{opt: c, arg: args[i], hasArg: true})
				default:
					opts = append(opts, option{opt: '?', complaint: fmt.Sprintf("%s: option requires an argument -- '%c'\n", argv0, c)})
					return opts, operands
				}
				break
			}
			opts = append(opts, option{opt: c})
		}
	}
	return opts, operands
}

// parseLong handles one "--name[=value]"; rest is what follows it in argv.
// It returns the option and how many further arguments it consumed.
func parseLong(argv0, text string, rest []string) (option, int) {
	name, value, hasValue := strings.Cut(text, "=")
	found := -1
	for i, lo := range longOptions {
		if lo.name == name {
			found = i
			break
		}
	}
	if found < 0 {
		var ambiguous []int
		for i, lo := range longOptions {
			if !strings.HasPrefix(lo.name, name) {
				continue
			}
			if found < 0 {
				found = i
				continue
			}
			f := longOptions[found]
			if f.hasArg != lo.hasArg || f.val != lo.val {
				if len(ambiguous) == 0 {
					ambiguous = append(ambiguous, found)
				}
				ambiguous = append(ambiguous, i)
			}
		}
		if len(ambiguous) > 0 {
			var b strings.Builder
			fmt.Fprintf(&b, "%s: option '--%s' is ambiguous; possibilities:", argv0, text)
			for _, i := range ambiguous {
				fmt.Fprintf(&b, " '--%s'", longOptions[i].name)
			}
			b.WriteByte('\n')
			return option{opt: '?', complaint: b.String()}, 0
		}
	}
	if found < 0 {
		return option{opt: '?', complaint: fmt.Sprintf("%s: unrecognized option '--%s'\n", argv0, text)}, 0
	}
	lo := longOptions[found]
	switch {
	case hasValue && !lo.hasArg:
		return option{opt: '?', complaint: fmt.Sprintf("%s: option '--%s' doesn't allow an argument\n", argv0, lo.name)}, 0
	case hasValue:
		return option{opt: lo.val, arg: value, hasArg: true}, 0
	case lo.hasArg && len(rest) > 0:
		return option{opt: lo.val, arg: rest[0], hasArg: true}, 1
	case lo.hasArg:
		return option{opt: '?', complaint: fmt.Sprintf("%s: option '--%s' requires an argument\n", argv0, lo.name)}, 0
	}
	return option{opt: lo.val}, 0
}
