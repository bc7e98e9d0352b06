package whatsmeow

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"testing"

	wm "go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/util/cbcutil"
	"go.mau.fi/whatsmeow/util/hkdfutil"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/wacrypto"
)

// The misc decrypt routes undo what whatsmeow itself does: these tests encrypt with
// whatsmeow's own helpers and decrypt with domain/wacrypto.

// encryptLikeUpload is whatsmeow's Upload without the network: HKDF keys of the
// media type, then cbcutil's AES-CBC stream with the 10-byte MAC appended.
func encryptLikeUpload(t *testing.T, plain []byte, mt wm.MediaType) (mediaKey, enc, fileSHA []byte) {
	t.Helper()
	mediaKey = make([]byte, 32)
	_, _ = rand.Read(mediaKey)
	keys := hkdfutil.SHA256(mediaKey, nil, []byte(mt), 112)
	var out bytes.Buffer
	fileSHA, _, _, _, err := cbcutil.EncryptStream(keys[16:48], keys[:16], keys[48:80], bytes.NewReader(plain), &out)
	if err != nil {
		t.Fatal(err)
	}
	return mediaKey, out.Bytes(), fileSHA
}

func TestDecryptMediaOpensWhatWhatsmeowEncrypts(t *testing.T) {
	t.Parallel()
	cases := []struct {
		wm   wm.MediaType
		ours wacrypto.MediaType
		mime string
		size int
	}{
		{wm.MediaImage, wacrypto.MediaImage, "image/jpeg", 1000},
		{wm.MediaVideo, wacrypto.MediaVideo, "video/mp4", 4096}, // a whole number of blocks: a full padding block
		{wm.MediaAudio, wacrypto.MediaAudio, "audio/ogg", 1},
		{wm.MediaDocument, wacrypto.MediaDocument, "application/pdf", 70000},
	}
	for _, c := range cases {
		plain := make([]byte, c.size)
		_, _ = rand.Read(plain)
		key, enc, sum := encryptLikeUpload(t, plain, c.wm)
		if got := wacrypto.MediaTypeFor(c.mime); got != c.ours {
			t.Fatalf("MediaTypeFor(%s) = %q, want %q", c.mime, got, c.ours)
		}
		got, err := wacrypto.DecryptMedia(key, enc, c.ours, sum)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("%s: decrypt = %d bytes, %v; want the %d plaintext bytes", c.mime, len(got), err, len(plain))
		}
	}

	plain := []byte("a photo")
	key, enc, sum := encryptLikeUpload(t, plain, wm.MediaImage)
	refused := func(name string, err error) {
		t.Helper()
		if fe, ok := fault.As(err); !ok || fe.Reason != wacrypto.ReasonDecryptFailed {
			t.Errorf("%s: err = %v, want %s", name, err, wacrypto.ReasonDecryptFailed)
		}
	}
	_, err := wacrypto.DecryptMedia(key, enc, wacrypto.MediaVideo, sum)
	refused("wrong media type", err)
	tampered := bytes.Clone(enc)
	tampered[0] ^= 1
	_, err = wacrypto.DecryptMedia(key, tampered, wacrypto.MediaImage, sum)
	refused("tampered ciphertext", err)
	other := sha256.Sum256([]byte("something else"))
	_, err = wacrypto.DecryptMedia(key, enc, wacrypto.MediaImage, other[:])
	refused("wrong fileSha256", err)
	if _, err := wacrypto.DecryptMedia(key[:16], enc, wacrypto.MediaImage, nil); !fault.Is(err, fault.KindInvalid) {
		t.Errorf("short key: err = %v, want invalid", err)
	}
}

func TestDecryptPollVoteOpensWhatWhatsmeowBuilds(t *testing.T) {
	t.Parallel()
	tr := newTestTransport(t, offline(t))
	ctx := t.Context()
	dev := tr.container.NewDevice()
	me := types.NewJID("6281133344455", types.DefaultUserServer)
	me.Device = 3
	dev.ID, dev.Account = &me, &waAdv.ADVSignedDeviceIdentity{Details: []byte{1}, AccountSignature: make([]byte, 64),
		AccountSignatureKey: make([]byte, 32), DeviceSignature: make([]byte, 64)}
	if err := tr.container.PutDevice(ctx, dev); err != nil {
		t.Fatal(err)
	}
	cli := wm.NewClient(dev, nil)

	creator := types.NewJID("6281122334455", types.DefaultUserServer)
	group := types.NewJID("120363111111111111", types.GroupServer)
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	poll := &types.MessageInfo{ID: "3EB0C2C010FFEE0", MessageSource: types.MessageSource{Chat: group, Sender: creator, IsGroup: true}}
	if err := dev.MsgSecrets.PutMessageSecret(ctx, group, creator, poll.ID, secret); err != nil {
		t.Fatal(err)
	}
	msg, err := cli.BuildPollVote(ctx, poll, []string{"Green", "Blue"})
	if err != nil {
		t.Fatal(err)
	}
	vote := msg.GetPollUpdateMessage().GetVote()
	// The misc route finds the poll's secret through the session's device.
	if err := tr.devices.put(ctx, "s1", me); err != nil {
		t.Fatal(err)
	}
	stored, err := tr.MessageSecret(ctx, "s1", group.String(), creator.String(), poll.ID)
	if err != nil || !bytes.Equal(stored, secret) {
		t.Fatalf("MessageSecret = %x, %v", stored, err)
	}
	if _, err := tr.MessageSecret(ctx, "s1", group.String(), creator.String(), "OTHER"); !fault.Is(err, fault.KindNotFound) {
		t.Errorf("unknown poll: err = %v, want not found", err)
	}
	in := wacrypto.PollVote{Secret: stored, PollID: poll.ID, CreatorJID: creator.String(), VoterJID: me.ToNonAD().String(),
		Payload: vote.GetEncPayload(), IV: vote.GetEncIV()}
	hashes, err := wacrypto.DecryptPollVote(in)
	if err != nil {
		t.Fatal(err)
	}
	if got := wacrypto.Selected([]string{"Red", "Green", "Blue"}, hashes); len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Fatalf("selected = %v, want [1 2]", got)
	}

	wrongVoter := in
	wrongVoter.VoterJID = "6289999999999@s.whatsapp.net"
	if _, err := wacrypto.DecryptPollVote(wrongVoter); err == nil {
		t.Error("a vote decrypted under another voter")
	}
	wrongSecret := in
	wrongSecret.Secret = make([]byte, 32)
	_, err = wacrypto.DecryptPollVote(wrongSecret)
	if fe, ok := fault.As(err); !ok || fe.Reason != wacrypto.ReasonDecryptFailed {
		t.Errorf("wrong secret: err = %v, want %s", err, wacrypto.ReasonDecryptFailed)
	}
}
