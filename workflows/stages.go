package workflows

// StageName names a part of a job for the progress display; the engine's
// tracker orders stages by it and the faces word it with Label.
type StageName string

// Stage names, in the order they run.
const (
	StageEncode  StageName = "encode"
	StageStage1  StageName = "stage1"
	StageUpscale StageName = "upscale"
	StageStage2  StageName = "stage2"
	StageDecode  StageName = "decode"
	StageSave    StageName = "save"
)

// StageOrder lists the stages in the order they run.
func StageOrder() []StageName {
	return []StageName{StageEncode, StageStage1, StageUpscale, StageStage2, StageDecode, StageSave}
}

// Label is the stage as the progress display words it; an unknown stage is
// "Running".
func (s StageName) Label() string {
	switch s {
	case StageEncode:
		return "Encoding the prompt"
	case StageStage1:
		return "Stage 1 · composing the video"
	case StageUpscale:
		return "Upscaling"
	case StageStage2:
		return "Stage 2 · refining detail"
	case StageDecode:
		return "Decoding frames"
	case StageSave:
		return "Saving the video"
	}
	return "Running"
}

// Stage tells the progress display which part of the job a node belongs to.
// Weight is the node's share of the whole job's expected time; the weights of
// all nodes of a prompt add up to 1.
type Stage struct {
	Name   StageName
	Weight float64
}

// stageOf places the shared node ids of the templates; everything else is
// input preparation (loaders, text and media encoding).
var stageOf = map[string]StageName{
	"sample1": StageStage1,
	"sep1":    StageUpscale, "upmodel": StageUpscale, "upscale": StageUpscale, "i2v2": StageUpscale, "av2": StageUpscale,
	"sample2": StageStage2,
	"sep2":    StageDecode, "crop": StageDecode, "vdecode": StageDecode, "adecode": StageDecode,
	"create": StageSave, "save": StageSave,
}

func stagesFor(g map[string]*node, m Mode, p Preset) map[string]Stage {
	s1, s2 := PresetSteps(m.ID, p)
	cfgPasses := 1.0
	if usesCFG(m.ID, p) {
		cfgPasses = 2
	}
	tokens1 := 1.0
	if m.TwoStage {
		tokens1 = 0.25 // half width × half height
	}
	cost1 := float64(s1) * cfgPasses * tokens1
	cost2 := float64(s2)
	sampling := 0.80
	weights := map[StageName]float64{
		StageEncode: 0.06, StageUpscale: 0.03, StageDecode: 0.08, StageSave: 0.03,
		StageStage1: sampling * cost1 / (cost1 + cost2),
		StageStage2: sampling * cost2 / (cost1 + cost2),
	}
	name := func(id string) StageName {
		st, ok := stageOf[id]
		if !ok {
			return StageEncode
		}
		if id == "sep1" && !m.TwoStage {
			return StageDecode
		}
		return st
	}
	count := map[StageName]int{}
	for id := range g {
		count[name(id)]++
	}
	total := 0.0
	for st, n := range count {
		if n > 0 {
			total += weights[st]
		}
	}
	out := make(map[string]Stage, len(g))
	for id := range g {
		st := name(id)
		out[id] = Stage{Name: st, Weight: weights[st] / total / float64(count[st])}
	}
	return out
}
