package pcp

import "strconv"

// Most requests carry a single decimal id as their only string. These helpers
// keep the per-message files about what differs: the kind.

func encodeIDRequest(dst []byte, kind byte, id int) ([]byte, error) {
	dst, at := beginPacket(dst, kind)
	dst = strconv.AppendInt(dst, int64(id), 10)
	dst = append(dst, 0)
	return finishRequest(dst, at)
}

func decodeIDRequest(kind byte, payload []byte) (int, error) {
	s, err := splitStrings(kind, payload)
	if err != nil {
		return 0, err
	}
	if len(s) != 1 {
		return 0, malformed(kind, "want one id string, got %d strings", len(s))
	}
	return Atoi(s[0]), nil
}
