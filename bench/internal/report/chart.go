package report

import (
	"fmt"
	"image/color"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Chart geometry. The scenarios differ by two orders of magnitude
// (pipelining against churn), so each gets a panel with its own axis
// instead of sharing one.
const (
	chartCols   = 2 // panels per row
	panelWidth  = 5 * vg.Inch
	panelHeight = 3.2 * vg.Inch
	titleHeight = 0.5 * vg.Inch
	barWidth    = 0.5 * vg.Inch
)

func init() {
	// Sans-serif text reads better at the chart's small sizes; plot.New
	// and plotter.NewLabels take their fonts from these defaults.
	sans := font.Font{Typeface: "Liberation", Variant: "Sans"}
	plot.DefaultFont, plotter.DefaultFont = sans, sans
}

// oursColor marks the reference server's bars; the others take peerColors
// in server order, none of them blue.
var (
	oursColor  = color.RGBA{R: 24, G: 90, B: 169, A: 255}
	peerColors = []color.Color{
		color.RGBA{R: 122, G: 195, B: 106, A: 255},
		color.RGBA{R: 250, G: 167, B: 91, A: 255},
		color.RGBA{R: 158, G: 103, B: 171, A: 255},
		color.RGBA{R: 241, G: 90, B: 96, A: 255},
		color.RGBA{R: 206, G: 112, B: 88, A: 255},
		color.RGBA{R: 215, G: 127, B: 180, A: 255},
	}
)

// WriteChart draws req/s per server core as grouped bars, one panel per
// scenario and one bar per server, and writes it as SVG.
func (r *Report) WriteChart(w io.Writer) error {
	sums := r.Summaries()
	if len(r.Scenarios) == 0 {
		return fmt.Errorf("chart: no scenarios")
	}
	cols := min(chartCols, len(r.Scenarios))
	rows := (len(r.Scenarios) + cols - 1) / cols
	plots := make([][]*plot.Plot, rows)
	for i := range plots {
		plots[i] = make([]*plot.Plot, cols)
	}
	for i, sc := range r.Scenarios {
		p, err := r.panel(sc, sums)
		if err != nil {
			return fmt.Errorf("chart %s: %w", sc.Key, err)
		}
		plots[i/cols][i%cols] = p
	}
	img := vgsvg.New(panelWidth*vg.Length(cols), panelHeight*vg.Length(rows)+titleHeight)
	dc := draw.New(img)
	r.drawTitle(dc)
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadTop: titleHeight, PadX: vg.Millimeter * 6,
		PadY: vg.Millimeter * 6, PadLeft: vg.Millimeter * 3, PadRight: vg.Millimeter * 3, PadBottom: vg.Millimeter * 3}
	canvases := plot.Align(plots, tiles, dc)
	for j := range plots {
		for i, p := range plots[j] {
			if p != nil {
				p.Draw(canvases[j][i])
			}
		}
	}
	if _, err := img.WriteTo(w); err != nil {
		return fmt.Errorf("write chart: %w", err)
	}
	return nil
}

// drawTitle writes the chart's heading across the top.
func (r *Report) drawTitle(dc draw.Canvas) {
	sty := plot.New().Title.TextStyle
	sty.Font.Size = vg.Points(14)
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
	title := fmt.Sprintf("req/s per server core, one core each: %s, %s", r.Date, r.LoadGen)
	top := vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: dc.Max.Y - vg.Millimeter*3}
	dc.FillText(sty, top, title)
}

// panel draws one scenario: a bar per server with its value on top.
func (r *Report) panel(sc Scenario, sums []Summary) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = sc.Title
	p.Y.Label.Text = "req/s per server core"
	p.Y.Tick.Marker = shortTicks{}
	p.Y.Min = 0
	var names []string
	var labels plotter.XYLabels
	peers := 0
	top := 0.0
	for _, sv := range r.Servers {
		s, ok := find(sums, sc.Key, sv.Key)
		if !ok {
			continue
		}
		x := float64(len(names))
		bar, err := plotter.NewBarChart(plotter.Values{s.PerCore}, barWidth)
		if err != nil {
			return nil, err
		}
		bar.XMin, bar.LineStyle.Width = x, 0
		bar.Color = oursColor
		if sv.Key != r.ReferenceOf(sc) {
			bar.Color = peerColors[peers%len(peerColors)]
			peers++
		}
		p.Add(bar)
		names = append(names, sv.Key)
		labels.XYs = append(labels.XYs, plotter.XY{X: x, Y: s.PerCore})
		labels.Labels = append(labels.Labels, Short(s.PerCore))
		top = max(top, s.PerCore)
	}
	if len(names) == 0 {
		p.Title.Text += " (no data)"
		return p, nil
	}
	vals, err := plotter.NewLabels(labels)
	if err != nil {
		return nil, err
	}
	for i := range vals.TextStyle {
		vals.TextStyle[i].XAlign, vals.TextStyle[i].YAlign = draw.XCenter, draw.YBottom
	}
	vals.Offset = vg.Point{Y: vg.Points(2)}
	p.Add(vals)
	p.NominalX(names...)
	p.Y.Max = top * 1.15
	return p, nil
}

// shortTicks labels an axis with compact numbers (150k instead of 150000).
type shortTicks struct{}

// Ticks implements plot.Ticker.
func (shortTicks) Ticks(min, max float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = Short(ts[i].Value)
		}
	}
	return ts
}
