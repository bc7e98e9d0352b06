package waserver

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"go.mau.fi/libsignal/ecc"
	"go.mau.fi/whatsmeow"
	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/proto/waWa6"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"
)

// device is a companion the server has seen paired.
type device struct {
	jid, lid types.JID
	noiseKey [32]byte
	identity [32]byte
}

func (d *device) key() string { return deviceKey(d.jid.User, d.jid.Device) }

// registration is an unpaired client waiting for a phone to scan its QR code or take its pairing code.
type registration struct {
	identity [32]byte
	ref      string
	code     *linkCode // set when the client asked to be linked by code instead
}

const qrPrefix = "https://wa.me/settings/linked_devices#"

// startPairing records the new device's keys and offers it one pairing ref.
func (c *conn) startPairing(ctx context.Context, p *waWa6.ClientPayload) error {
	ident := p.GetDevicePairingData().GetEIdent()
	if len(ident) != 32 {
		return errors.New("registration without identity key")
	}
	var ref [12]byte
	_, _ = rand.Read(ref[:])
	c.pairing = &registration{identity: [32]byte(ident), ref: "2@" + base64.StdEncoding.EncodeToString(ref[:])}
	c.srv.mu.Lock()
	c.srv.pending[c.pairing.ref] = c
	c.srv.mu.Unlock()
	go func() {
		_, _ = c.request(ctx, waBinary.Node{Tag: "iq", Attrs: waBinary.Attrs{"from": types.ServerJID, "type": "set", "xmlns": "md"},
			Content: []waBinary.Node{{Tag: "pair-device", Content: []waBinary.Node{{Tag: "ref", Content: []byte(c.pairing.ref)}}}}})
	}()
	return nil
}

// Scan plays the phone scanning the QR code: the phone signs the companion, the
// client countersigns, and the server restarts its stream (515) so it logs in.
// It returns the companion's device JID.
func (s *Server) Scan(ctx context.Context, phone *Phone, qr string) (types.JID, error) {
	parts := strings.Split(strings.TrimPrefix(qr, qrPrefix), ",")
	if !strings.HasPrefix(qr, qrPrefix) || len(parts) != 5 {
		return types.EmptyJID, fmt.Errorf("not a pairing QR code: %q", qr)
	}
	noise, err1 := decodeKey(parts[1])
	ident, err2 := decodeKey(parts[2])
	advSecret, err3 := base64.StdEncoding.DecodeString(parts[3])
	if err := errors.Join(err1, err2, err3); err != nil {
		return types.EmptyJID, fmt.Errorf("QR code: %w", err)
	}
	s.mu.Lock()
	c := s.pending[parts[0]]
	delete(s.pending, parts[0])
	s.mu.Unlock()
	if c == nil || c.pairing.identity != ident || c.clientStatic != noise {
		return types.EmptyJID, errors.New("QR code matches no waiting client")
	}
	return s.link(ctx, c, phone, advSecret)
}

// link runs pair-success for the waiting client c once the phone has its advSecret
// (from the QR code or the link-code exchange), then restarts the stream (515) so
// the client logs in; RestartStreamEarly moves the restart ahead of its answer.
func (s *Server) link(ctx context.Context, c *conn, phone *Phone, advSecret []byte) (types.JID, error) {
	ident := c.pairing.identity
	l, err := phone.link(ident, advSecret)
	if err != nil {
		return types.EmptyJID, err
	}
	linked, early := s.startLinking(c.clientStatic)
	defer linked()
	answer, err := c.ask(ctx, waBinary.Node{Tag: "iq", Attrs: waBinary.Attrs{"from": types.ServerJID, "type": "set", "t": unixNow()},
		Content: []waBinary.Node{{Tag: "pair-success", Content: []waBinary.Node{
			{Tag: "device-identity", Content: l.identity},
			{Tag: "device", Attrs: waBinary.Attrs{"jid": l.jid, "lid": l.lid}},
			{Tag: "platform", Attrs: waBinary.Attrs{"name": "android"}},
		}}}})
	if err != nil {
		return types.EmptyJID, err
	}
	// The client drops this socket itself when it restarts for the login.
	restart := func() error {
		return c.send(ctx, waBinary.Node{Tag: "stream:error", Attrs: waBinary.Attrs{"code": "515"}})
	}
	if early {
		if err := restart(); err != nil {
			return types.EmptyJID, err
		}
	}
	resp, err := awaitAnswer(ctx, answer)
	if err != nil {
		return types.EmptyJID, err
	}
	if err := verifyDeviceSign(resp, ident, phone.Identity.Pub[:]); err != nil {
		return types.EmptyJID, err
	}
	if _, err := s.appStateOf(phone); err != nil {
		return types.EmptyJID, err
	}
	s.mu.Lock()
	d := &device{jid: l.jid, lid: l.lid, noiseKey: c.clientStatic, identity: ident}
	s.devices[d.key()] = d
	s.mu.Unlock()
	if early {
		return l.jid, nil
	}
	return l.jid, restart()
}

// startLinking marks a pairing of the noise key in flight, for logins to wait on;
// the returned func ends it. It says whether this pairing restarts the stream early.
func (s *Server) startLinking(noise [32]byte) (end func(), early bool) {
	done := make(chan struct{})
	s.mu.Lock()
	s.linking[noise] = done
	early, s.early = s.early, false
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		delete(s.linking, noise)
		s.mu.Unlock()
		close(done)
	}, early
}

// pairedDevice returns the device a login names, once a pairing of its noise key
// still in flight has ended: a client may log in the moment it has answered.
func (s *Server) pairedDevice(ctx context.Context, key string, noise [32]byte) *device {
	s.mu.Lock()
	linking := s.linking[noise]
	s.mu.Unlock()
	if linking != nil {
		select {
		case <-linking:
		case <-ctx.Done():
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.devices[key]
}

// verifyDeviceSign checks the client's pair-device-sign: its own signature over the
// phone-signed details, as WhatsApp does before it accepts a companion.
func verifyDeviceSign(resp *waBinary.Node, companion [32]byte, accountKey []byte) error {
	if resp.Attrs["type"] != "result" {
		return fmt.Errorf("client refused pairing: %v", resp.GetChildByTag("error").Attrs)
	}
	raw, ok := resp.GetChildByTag("pair-device-sign", "device-identity").Content.([]byte)
	if !ok {
		return errors.New("pair-device-sign without device-identity")
	}
	var signed waAdv.ADVSignedDeviceIdentity
	if err := proto.Unmarshal(raw, &signed); err != nil {
		return err
	}
	msg := concat(whatsmeow.AdvDeviceSignaturePrefix, signed.GetDetails(), companion[:], accountKey)
	if len(signed.GetDeviceSignature()) != 64 || !ecc.VerifySignature(ecc.NewDjbECPublicKey(companion), msg, [64]byte(signed.GetDeviceSignature())) {
		return errors.New("bad device signature in pair-device-sign")
	}
	return nil
}

func decodeKey(b64 string) ([32]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != 32 {
		return [32]byte{}, fmt.Errorf("bad key %q", b64)
	}
	return [32]byte(raw), nil
}
