package settingsview

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

func (v *View) maintenance() fyne.CanvasObject {
	row := container.NewHBox()
	// Each of these stops ComfyUI (and with it a running job), so ask first.
	add := func(label, question string, icon fyne.Resource, f func()) *widget.Button {
		if f == nil {
			return nil
		}
		b := widget.NewButtonWithIcon(label, icon, func() {
			if v.opt.Window == nil {
				f()
				return
			}
			v.confirm = dialog.NewConfirm(label, question+"\nComfyUI stops meanwhile; a running job is interrupted.", func(ok bool) {
				v.confirm = nil
				if ok {
					f()
				}
			}, v.opt.Window)
			v.confirm.SetConfirmText(label)
			v.confirm.SetDismissText("Cancel")
			v.confirm.Show()
		})
		row.Add(b)
		return b
	}
	add("Repair", "Check this computer and repair ComfyUI? Only what is broken is redone.", theme.SettingsIcon(), v.opt.Repair)
	add("Update ComfyUI", "Open the setup to install the ComfyUI version this app pins?", theme.DownloadIcon(), v.opt.UpdateComfyUI)
	v.rollBack = add("Roll back", "Go back to the previous ComfyUI install?", theme.HistoryIcon(), v.opt.RollBack)
	if len(row.Objects) == 0 {
		return nil
	}
	v.rollBackNote = widget.NewLabel("")
	v.rollBackNote.Importance = widget.LowImportance
	v.rollBackNote.Wrapping = fyne.TextWrapWord // a long note must not widen the panel (and the window)
	v.refreshRollBack()
	return container.NewVBox(widget.NewLabelWithStyle("ComfyUI install", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), row, v.rollBackNote)
}

// refreshRollBack turns Roll back off, and says why, when there is no
// earlier install to go back to. UI goroutine.
func (v *View) refreshRollBack() {
	if v.rollBack == nil || v.opt.CanRollBack == nil {
		return
	}
	if v.opt.CanRollBack() {
		v.rollBack.Enable()
		v.rollBackNote.SetText("")
		v.rollBackNote.Hide()
		return
	}
	v.rollBack.Disable()
	v.rollBackNote.SetText("Roll back needs an earlier install; there is one after the first update or repair.")
	v.rollBackNote.Show()
}
