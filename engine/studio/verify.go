package studio

import (
	"context"

	"github.com/ltxstudio/ltx-studio/models"
)

// VerifyModels reads every downloaded model file of refs in full (nil: every
// file the app knows) and checks it against the sha256 the hub published;
// missing files are reported, not fetched. With repair, damaged files are
// deleted and downloaded again, verified. verifying reports hashing
// progress; fetching reports the re-downloads (either may be nil). Cancel ctx
// to stop; nothing is left half-done (a re-download resumes on the next try).
func (s *Studio) VerifyModels(ctx context.Context, refs []models.Ref, repair bool,
	verifying func(models.VerifyProgress), fetching func(models.Progress)) ([]models.VerifyResult, error) {
	st, err := s.Models()
	if err != nil {
		return nil, err
	}
	if refs == nil {
		refs = models.LTX23().Refs()
	}
	if repair {
		return st.Repair(ctx, refs, verifying, fetching)
	}
	return st.Verify(ctx, refs, verifying)
}
