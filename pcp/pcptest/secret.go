package pcptest

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// hex32 is any MD5 digest in hex: the salted response changes with every
// salt, so it is caught by its shape rather than its value.
var hex32 = regexp.MustCompile(`(^|[^0-9a-fA-F]|md5)[0-9a-fA-F]{32}($|[^0-9a-fA-F])`)

// Leaks lists what of a PCP password shows in text: the password itself,
// md5(password) as pcp.conf stores it, md5(md5(password)+user) (the
// unsalted half of the response), or any 32-digit hex string (a salted
// response). The password counts only where it is not part of a path
// (".pcppass", "/dir/pcppass"): tests name their password files.
func Leaks(text, user, password string) []string {
	var found []string
	for i := 0; password != "" && i < len(text); {
		j := strings.Index(text[i:], password)
		if j < 0 {
			break
		}
		at := i + j
		if at == 0 || (text[at-1] != '/' && text[at-1] != '.') {
			found = append(found, fmt.Sprintf("the password at byte %d: %q", at, excerpt(text, at)))
			break
		}
		i = at + len(password)
	}
	h1 := md5hex(password)
	h2 := md5hex(h1 + user)
	for _, h := range []struct{ name, v string }{{"md5(password)", h1}, {"md5(md5(password)+user)", h2}} {
		if strings.Contains(strings.ToLower(text), h.v) {
			found = append(found, h.name)
		}
	}
	if loc := hex32.FindStringIndex(text); loc != nil {
		found = append(found, fmt.Sprintf("a 32-digit hex string (an MD5 response?): %q", excerpt(text, loc[0])))
	}
	return found
}

// NoLeak fails tb when any of texts shows the password (see Leaks).
func NoLeak(tb testing.TB, what, user, password string, texts ...string) {
	tb.Helper()
	for _, t := range texts {
		if l := Leaks(t, user, password); len(l) > 0 {
			tb.Errorf("%s: password leaked: %s", what, strings.Join(l, "; "))
		}
	}
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func excerpt(s string, at int) string {
	lo, hi := max(at-20, 0), min(at+40, len(s))
	return s[lo:hi]
}
