package layoutdump

import (
	"bytes"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func TestCollectFindsButtonsTabsAndDialogs(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	off := widget.NewButton("Generate", nil)
	off.Disable()
	tabs := container.NewAppTabs(
		container.NewTabItem("Result", widget.NewLabel("nothing yet")),
		container.NewTabItem("History", widget.NewLabel("")))
	w.SetContent(container.NewBorder(container.NewHBox(widget.NewButton("Choose…", nil), off), nil, nil, nil, tabs))
	w.Resize(fyne.NewSize(600, 400))
	dialog.ShowConfirm("Roll back?", "sure", func(bool) {}, w)

	items := Collect(w.Canvas())
	find := func(typ, text string) *Item {
		for i := range items {
			if strings.HasSuffix(items[i].Type, typ) && items[i].Text == text {
				return &items[i]
			}
		}
		return nil
	}
	choose := find("Button", "Choose…")
	if choose == nil || choose.W <= 0 || choose.H <= 0 || choose.Layer != 0 {
		t.Fatalf("Choose… button: %+v", choose)
	}
	if g := find("Button", "Generate"); g == nil || !g.Disabled || g.X <= choose.X {
		t.Fatalf("Generate button: %+v (Choose… %+v)", g, choose)
	}
	if tab := find("tabButton", "History"); tab == nil || tab.Y <= choose.Y {
		t.Fatalf("History tab: %+v", tab)
	}
	if yes := find("Button", "Yes"); yes == nil || yes.Layer != 1 {
		t.Fatalf("the dialog's Yes button: %+v", yes)
	}
	var out bytes.Buffer
	if err := Write(&out, items); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "\toff\tGenerate\n") {
		t.Fatalf("the dump does not mark Generate off:\n%s", out.String())
	}
}

func TestCollectLeavesOutWhatIsScrolledAway(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	box := container.NewVBox()
	for i := 0; i < 40; i++ {
		box.Add(widget.NewButton("row", nil))
	}
	box.Add(widget.NewButton("Repair", nil))
	w.SetContent(container.NewVScroll(box))
	w.Resize(fyne.NewSize(300, 200))
	for _, it := range Collect(w.Canvas()) {
		if it.Text == "Repair" {
			t.Fatalf("a button scrolled out of sight was listed: %+v", it)
		}
		if it.Y+it.H > 200 {
			t.Fatalf("an item reaches past the scroll's bottom: %+v", it)
		}
	}
}
