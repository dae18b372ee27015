package pcp

import (
	"encoding/binary"
	"io"
)

// Unknown is a packet whose kind this package does not know. It is returned
// rather than treated as an error so the caller can name the kind, as the
// stock tools do ("invalid PCP packet type").
type Unknown struct {
	Kind    byte
	Payload []byte
}

func (Unknown) Backend() {}

func (m *Unknown) Decode(payload []byte) error {
	m.Payload = append(m.Payload[:0], payload...)
	return nil
}

func (m *Unknown) Encode(dst []byte) ([]byte, error) {
	dst, at := beginPacket(dst, m.Kind)
	dst = append(dst, m.Payload...)
	return finishPacket(dst, at)
}

// Tracer observes every packet a Frontend moves. length is the packet's
// length field.
type Tracer interface {
	TraceSend(msg FrontendMessage, length int)
	TraceReceive(kind byte, length int, msg BackendMessage)
}

// Frontend is the client end of a PCP session: it owns the reader, bounds and
// decodes every packet, and encodes requests. It sets no deadlines; the
// caller arranges those on the underlying connection.
type Frontend struct {
	r      io.Reader
	w      io.Writer
	tracer Tracer
	wbuf   []byte
	queued int // bytes of wbuf that Queue holds back for the next Send
	rbuf   []byte
	hdr    [5]byte
}

// NewFrontend returns a Frontend reading from r and writing to w.
func NewFrontend(r io.Reader, w io.Writer) *Frontend {
	return &Frontend{r: r, w: w}
}

// SetTracer installs t (nil to stop tracing).
func (f *Frontend) SetTracer(t Tracer) { f.tracer = t }

// Send encodes msg and writes it, behind anything queued, in one call.
func (f *Frontend) Send(msg FrontendMessage) error {
	if err := f.Queue(msg); err != nil {
		return err
	}
	return f.Flush()
}

// Queue encodes msg for the next Send or Flush without writing it, so that
// several requests leave in one packet.
func (f *Frontend) Queue(msg FrontendMessage) error {
	buf, err := msg.Encode(f.wbuf[:f.queued])
	if err != nil {
		return err
	}
	if f.tracer != nil {
		f.tracer.TraceSend(msg, len(buf)-f.queued-1)
	}
	f.wbuf, f.queued = buf, len(buf)
	return nil
}

// Flush writes what Queue holds back.
func (f *Frontend) Flush() error {
	if f.queued == 0 {
		return nil
	}
	n := f.queued
	f.queued = 0
	_, err := f.w.Write(f.wbuf[:n])
	return err
}

// ReceiveRaw reads one packet. The payload is only valid until the next call.
// A length field below 4 or above MaxPacketLength is an error before anything
// is allocated for the body.
func (f *Frontend) ReceiveRaw() (kind byte, payload []byte, err error) {
	if _, err := io.ReadFull(f.r, f.hdr[:]); err != nil {
		return 0, nil, err
	}
	kind = f.hdr[0]
	n := binary.BigEndian.Uint32(f.hdr[1:])
	if n < 4 || n > MaxPacketLength {
		return kind, nil, &ErrLength{Kind: kind, Length: n}
	}
	body := int(n) - 4
	if cap(f.rbuf) < body {
		f.rbuf = make([]byte, body)
	}
	f.rbuf = f.rbuf[:body]
	if _, err := io.ReadFull(f.r, f.rbuf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return kind, nil, err
	}
	return kind, f.rbuf, nil
}

// Receive reads and decodes one server packet.
func (f *Frontend) Receive() (BackendMessage, error) {
	kind, payload, err := f.ReceiveRaw()
	if err != nil {
		return nil, err
	}
	msg := newBackendMessage(kind)
	err = msg.Decode(payload)
	if f.tracer != nil {
		f.tracer.TraceReceive(kind, len(payload)+4, msg)
	}
	if err != nil {
		return nil, err
	}
	return msg, nil
}

// newBackendMessage picks the type for a server kind byte. Server kinds are
// unique even where client kinds are reused ('d' is a graceful detach
// request but always a command reply from the server).
func newBackendMessage(kind byte) BackendMessage {
	switch kind {
	case 'm':
		return &Salt{}
	case 'r':
		return &AuthenticationResult{}
	case 'E':
		return &ErrorResponse{}
	case 'N':
		return &ErrorResponse{Notice: true}
	case 'e':
		return &LegacyError{}
	case 'l':
		return &NodeCount{}
	case 'i':
		return &NodeInfoReply{}
	case 'w':
		return &WatchdogInfo{}
	case 'n':
		return &ProcessCount{}
	case 'p':
		return &ProcessInfoReply{}
	case 'b':
		return &PoolStatusReply{}
	case 'h':
		return &HealthCheckStats{}
	case 'c', 'd', 't', 'z', 'v', 'g', 'a':
		return &CommandComplete{Kind: kind}
	}
	return &Unknown{Kind: kind}
}
