package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// hourChart is a bar chart of admitted visitors per hour of the day.
type hourChart struct {
	widget.BaseWidget
	values [24]int
}

func newHourChart() *hourChart {
	c := &hourChart{}
	c.ExtendBaseWidget(c)
	return c
}

func (c *hourChart) set(v [24]int) {
	c.values = v
	c.Refresh()
}

func (c *hourChart) CreateRenderer() fyne.WidgetRenderer {
	r := &chartRenderer{c: c}
	for i := range r.bars {
		r.bars[i] = canvas.NewRectangle(colorBar)
		r.counts[i] = canvas.NewText("", theme.Color(theme.ColorNameForeground))
		r.counts[i].TextSize = 11
		r.counts[i].Alignment = fyne.TextAlignCenter
	}
	for i := range r.hours {
		r.hours[i] = canvas.NewText(fmt.Sprint(i*3), theme.Color(theme.ColorNameForeground))
		r.hours[i].TextSize = 11
		r.hours[i].Alignment = fyne.TextAlignCenter
	}
	r.axis = canvas.NewRectangle(theme.Color(theme.ColorNameForeground))
	return r
}

type chartRenderer struct {
	c      *hourChart
	bars   [24]*canvas.Rectangle
	counts [24]*canvas.Text
	hours  [8]*canvas.Text
	axis   *canvas.Rectangle
	size   fyne.Size
}

func (r *chartRenderer) Layout(size fyne.Size) {
	r.size = size
	peak := 1
	for _, v := range r.c.values {
		peak = max(peak, v)
	}
	const labelH, countH = 18, 16
	plotH := size.Height - labelH - countH
	slot := size.Width / 24
	for i, v := range r.c.values {
		h := plotH * float32(v) / float32(peak)
		x := float32(i)*slot + slot*0.15
		r.bars[i].Move(fyne.NewPos(x, countH+plotH-h))
		r.bars[i].Resize(fyne.NewSize(slot*0.7, h))
		r.counts[i].Text = ""
		if v > 0 {
			r.counts[i].Text = fmt.Sprint(v)
		}
		r.counts[i].Move(fyne.NewPos(float32(i)*slot, countH+plotH-h-countH))
		r.counts[i].Resize(fyne.NewSize(slot, countH))
		r.counts[i].Refresh()
	}
	r.axis.Move(fyne.NewPos(0, countH+plotH))
	r.axis.Resize(fyne.NewSize(size.Width, 1))
	for i, t := range r.hours {
		t.Move(fyne.NewPos(float32(i*3)*slot, countH+plotH+2))
		t.Resize(fyne.NewSize(slot, labelH-2))
	}
}

func (r *chartRenderer) MinSize() fyne.Size { return fyne.NewSize(240, 160) }

func (r *chartRenderer) Refresh() {
	r.Layout(r.size)
	for _, b := range r.bars {
		b.Refresh()
	}
}

func (r *chartRenderer) Objects() []fyne.CanvasObject {
	objs := []fyne.CanvasObject{r.axis}
	for i := range r.bars {
		objs = append(objs, r.bars[i], r.counts[i])
	}
	for _, t := range r.hours {
		objs = append(objs, t)
	}
	return objs
}

func (r *chartRenderer) Destroy() {}
