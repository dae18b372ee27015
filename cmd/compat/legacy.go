package compat

// IsLegacy reports whether args (without argv[0]) are the 3.0–3.4 positional
// form: timeout host port user password [id|mode]. Filled in with the legacy
// front end.
func IsLegacy(args []string) bool { return false }

func (r *runner) runLegacy(argv []string) int { return r.run(argv) }
