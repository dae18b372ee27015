package environ

import "testing"

// A variable set to "" is set: libpcp then reads no password file at all,
// where an unset PCPPASSFILE means ~/.pcppass.
func TestSetButEmptyIsSet(t *testing.T) {
	e := Map(map[string]string{PassFile: ""})
	if v, ok := e.Lookup(PassFile); !ok || v != "" {
		t.Errorf("Lookup(PCPPASSFILE) = %q, %v; want \"\", true", v, ok)
	}
	if _, ok := e.Lookup(Host); ok {
		t.Error("an absent variable is set")
	}
	var none Env
	if v, ok := none.Lookup(Home); ok || v != "" || none.Get(Home) != "" {
		t.Error("a nil Env is not empty")
	}
}
