package e2e

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/ltxstudio/ltx-studio/models"
	"github.com/ltxstudio/ltx-studio/models/hftest"
)

// ModelSize is the payload size of every stand-in model file (the whole
// file is a little larger: it is a valid safetensors file with a header).
const ModelSize = 4096

// HubRepos is what the stand-in hub serves: every file of reg under its
// repo and path, one commit per repo. Content and commits depend only on
// the names, so a cache filled by an earlier run stays valid.
func HubRepos(reg models.Registry) map[string]hftest.Repo {
	repos := map[string]hftest.Repo{}
	for _, f := range reg.Files {
		r, ok := repos[f.Repo]
		if !ok {
			c := sha1.Sum([]byte("ltx-e2e commit " + f.Repo))
			r = hftest.Repo{Commit: hex.EncodeToString(c[:]), Files: map[string]hftest.File{}}
		}
		r.Files[f.PathInRepo] = hftest.File{Data: ModelData(f.Repo, f.PathInRepo),
			LFS: strings.HasSuffix(f.PathInRepo, ".safetensors")}
		repos[f.Repo] = r
	}
	return repos
}

// ModelData is the stand-in content of repo/path: a safetensors file
// (8-byte little-endian header length, JSON header, data) with one U8
// tensor of ModelSize bytes drawn from a hash of the name, so anything that
// peeks at the header sees a well-formed file and every file differs.
func ModelData(repo, path string) []byte {
	hdr, _ := json.Marshal(map[string]any{
		"__metadata__": map[string]string{"format": "pt", "ltx_e2e": repo + "/" + path},
		"weight":       map[string]any{"dtype": "U8", "shape": []int{ModelSize}, "data_offsets": []int{0, ModelSize}},
	})
	for len(hdr)%8 != 0 {
		hdr = append(hdr, ' ')
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(hdr)))
	out = append(out, hdr...)
	seed := sha256.Sum256([]byte(repo + "\x00" + path))
	for i := uint64(0); len(out) < 8+len(hdr)+ModelSize; i++ {
		block := sha256.Sum256(binary.LittleEndian.AppendUint64(seed[:], i))
		out = append(out, block[:]...)
	}
	return out[:8+len(hdr)+ModelSize]
}
