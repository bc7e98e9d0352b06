// Package wacrypto undoes WhatsApp's end-to-end encryption of media files and poll
// votes, given the keys a client already holds (the message's mediaKey, the poll's
// secret). Pure functions over bytes: the caller fetches and checks ownership.
package wacrypto

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"strings"

	"github.com/warest-go/warest/domain/fault"
)

// ReasonDecryptFailed is a payload whose keys, MAC or checksum do not match.
const ReasonDecryptFailed fault.Reason = "decrypt_failed"

// MediaType names the HKDF info of a media kind, as WhatsApp derives its keys.
type MediaType string

const (
	MediaImage    MediaType = "WhatsApp Image Keys"
	MediaVideo    MediaType = "WhatsApp Video Keys"
	MediaAudio    MediaType = "WhatsApp Audio Keys"
	MediaDocument MediaType = "WhatsApp Document Keys"
)

// MediaTypeFor picks the key kind from a MIME type: stickers and GIFs are images
// and videos to WhatsApp; anything unknown is a document.
func MediaTypeFor(mime string) MediaType {
	switch {
	case strings.HasPrefix(mime, "image/"):
		return MediaImage
	case strings.HasPrefix(mime, "video/"):
		return MediaVideo
	case strings.HasPrefix(mime, "audio/"):
		return MediaAudio
	}
	return MediaDocument
}

// macLength is the truncated HMAC-SHA256 WhatsApp appends to an encrypted file.
const macLength = 10

// DecryptMedia checks and decrypts an encrypted WhatsApp file (AES-256-CBC
// ciphertext followed by a 10-byte HMAC-SHA256 of iv‖ciphertext). The 32-byte
// mediaKey expands by HKDF-SHA256 into iv, cipher key and MAC key. A non-empty
// fileSHA256 must match the plaintext.
func DecryptMedia(mediaKey, enc []byte, t MediaType, fileSHA256 []byte) ([]byte, error) {
	if len(mediaKey) != 32 {
		return nil, fault.Invalid(fault.ReasonInvalidParameter, "mediaKey must be 32 bytes, got %d", len(mediaKey))
	}
	if len(enc) < macLength+aes.BlockSize || (len(enc)-macLength)%aes.BlockSize != 0 {
		return nil, fault.Invalid(ReasonDecryptFailed, "the file is not WhatsApp encrypted media")
	}
	keys, err := hkdf.Key(sha256.New, mediaKey, nil, string(t), 112)
	if err != nil {
		return nil, err
	}
	iv, cipherKey, macKey := keys[:16], keys[16:48], keys[48:80]
	body, mac := enc[:len(enc)-macLength], enc[len(enc)-macLength:]
	h := hmac.New(sha256.New, macKey)
	h.Write(iv)
	h.Write(body)
	if !hmac.Equal(h.Sum(nil)[:macLength], mac) {
		return nil, fault.Invalid(ReasonDecryptFailed, "the media key or media type does not match the file (HMAC check failed)")
	}
	block, err := aes.NewCipher(cipherKey)
	if err != nil {
		return nil, err
	}
	plain := make([]byte, len(body))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, body)
	plain, err = unpad(plain)
	if err != nil {
		return nil, err
	}
	if len(fileSHA256) > 0 {
		sum := sha256.Sum256(plain)
		if !bytes.Equal(sum[:], fileSHA256) {
			return nil, fault.Invalid(ReasonDecryptFailed, "the decrypted file does not match fileSha256")
		}
	}
	return plain, nil
}

func unpad(b []byte) ([]byte, error) {
	n := int(b[len(b)-1])
	if n == 0 || n > aes.BlockSize || !bytes.Equal(b[len(b)-n:], bytes.Repeat([]byte{byte(n)}, n)) {
		return nil, fault.Invalid(ReasonDecryptFailed, "the decrypted file has bad padding")
	}
	return b[:len(b)-n], nil
}

// PollVote is an encrypted vote and what it is bound to: the poll's message id, the
// poll's creator and the voter (JIDs without device part, as the client saw them).
type PollVote struct {
	Secret     []byte // the poll message's 32-byte messageSecret
	PollID     string
	CreatorJID string
	VoterJID   string
	Payload    []byte // AES-256-GCM ciphertext with tag
	IV         []byte // 12 bytes
}

// DecryptPollVote returns the SHA-256 hashes of the options the voter selected.
// The key is HKDF-SHA256 of the secret with info pollID‖creator‖voter‖"Poll Vote";
// the additional data is pollID NUL voter.
func DecryptPollVote(v PollVote) ([][]byte, error) {
	if len(v.Secret) != 32 {
		return nil, fault.Invalid(fault.ReasonInvalidParameter, "the poll secret must be 32 bytes, got %d", len(v.Secret))
	}
	if len(v.IV) != 12 || len(v.Payload) < 16 {
		return nil, fault.Invalid(fault.ReasonInvalidParameter, "the vote needs a 12-byte encIv and an encPayload")
	}
	key, err := hkdf.Key(sha256.New, v.Secret, nil, v.PollID+v.CreatorJID+v.VoterJID+"Poll Vote", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	plain, err := gcm.Open(nil, v.IV, v.Payload, []byte(v.PollID+"\x00"+v.VoterJID))
	if err != nil {
		return nil, fault.Invalid(ReasonDecryptFailed, "the vote does not decrypt with this poll secret, poll id, creator and voter")
	}
	return selectedOptions(plain)
}

// selectedOptions reads PollVoteMessage{repeated bytes selectedOptions = 1},
// skipping fields it does not know.
func selectedOptions(b []byte) ([][]byte, error) {
	bad := fault.Invalid(ReasonDecryptFailed, "the decrypted vote is not a poll vote")
	var out [][]byte
	for len(b) > 0 {
		tag, n := binary.Uvarint(b)
		if n <= 0 {
			return nil, bad
		}
		b = b[n:]
		switch tag & 7 {
		case 0: // varint
			if _, n = binary.Uvarint(b); n <= 0 {
				return nil, bad
			}
			b = b[n:]
		case 1: // fixed64
			if len(b) < 8 {
				return nil, bad
			}
			b = b[8:]
		case 5: // fixed32
			if len(b) < 4 {
				return nil, bad
			}
			b = b[4:]
		case 2: // length-delimited
			l, n := binary.Uvarint(b)
			if n <= 0 || uint64(len(b)-n) < l {
				return nil, bad
			}
			if tag>>3 == 1 {
				out = append(out, b[n:n+int(l)])
			}
			b = b[n+int(l):]
		default:
			return nil, bad
		}
	}
	return out, nil
}

// OptionHash is how a vote names an option: SHA-256 of its text.
func OptionHash(name string) []byte {
	sum := sha256.Sum256([]byte(name))
	return sum[:]
}

// Selected maps vote hashes to the indexes of options (in order of the options).
func Selected(options []string, hashes [][]byte) []int {
	idx := []int{}
	for i, o := range options {
		h := OptionHash(o)
		for _, s := range hashes {
			if bytes.Equal(h, s) {
				idx = append(idx, i)
				break
			}
		}
	}
	return idx
}
