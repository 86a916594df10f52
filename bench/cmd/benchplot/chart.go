package main

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Chart geometry: three panels stacked, sharing nothing but the title.
const (
	chartWidth  = 7.5 * vg.Inch
	panelHeight = 2.8 * vg.Inch
	titleHeight = 0.75 * vg.Inch // the title, and the key to the inputs' colours
)

func init() {
	// The harness's own chart (internal/report) uses the same face.
	sans := font.Font{Typeface: "Liberation", Variant: "Sans"}
	plot.DefaultFont, plotter.DefaultFont = sans, sans
}

// palette gives each input its colour, in order; the first is the
// harness's colour for our own server.
var palette = []color.Color{
	color.RGBA{R: 24, G: 90, B: 169, A: 255},
	color.RGBA{R: 241, G: 90, B: 96, A: 255},
	color.RGBA{R: 122, G: 195, B: 106, A: 255},
	color.RGBA{R: 250, G: 167, B: 91, A: 255},
	color.RGBA{R: 158, G: 103, B: 171, A: 255},
}

// writeChart draws the three panels for every input and writes them as
// SVG, or PNG when format is "png".
func writeChart(w io.Writer, format, title string, in []series) error {
	panels := []func([]series) (*plot.Plot, error){latencyOverTime, spectrumPanel, throughputPanel}
	plots := make([][]*plot.Plot, len(panels))
	for i, panel := range panels {
		p, err := panel(in)
		if err != nil {
			return err
		}
		plots[i] = []*plot.Plot{p}
	}
	width, height := chartWidth, panelHeight*vg.Length(len(panels))+titleHeight
	var canvas vg.CanvasWriterTo
	switch format {
	case "svg":
		canvas = vgsvg.New(width, height)
	case "png":
		canvas = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(144),
			vgimg.UseBackgroundColor(color.White))}
	default:
		return fmt.Errorf("format %q: want svg or png", format)
	}
	dc := draw.New(canvas)
	drawTitle(dc, title)
	drawKey(dc, in)
	tiles := draw.Tiles{Rows: len(panels), Cols: 1, PadTop: titleHeight, PadY: vg.Millimeter * 6,
		PadLeft: vg.Millimeter * 3, PadRight: vg.Millimeter * 10, PadBottom: vg.Millimeter * 3}
	canvases := plot.Align(plots, tiles, dc)
	for i := range plots {
		plots[i][0].Draw(canvases[i][0])
	}
	_, err := canvas.WriteTo(w)
	return err
}

func drawTitle(dc draw.Canvas, title string) {
	sty := plot.New().Title.TextStyle
	sty.Font.Size = vg.Points(13)
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
	dc.FillText(sty, vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: dc.Max.Y - vg.Millimeter*3}, title)
}

// drawKey draws one key for all panels under the title: a line in each
// input's colour and its label, side by side. The panels have no legends
// of their own, which would sit on the lines they explain; their titles
// say what solid and dashed lines are.
func drawKey(dc draw.Canvas, in []series) {
	sty := plot.New().Legend.TextStyle
	sty.Font.Size = vg.Points(10)
	sty.YAlign = draw.YCenter
	const sample, gap = 8 * vg.Millimeter, 2 * vg.Millimeter
	var width vg.Length
	for _, s := range in {
		width += sample + gap + sty.Width(s.label) + 3*gap
	}
	x := (dc.Min.X+dc.Max.X)/2 - width/2
	y := dc.Max.Y - 12*vg.Millimeter
	for i, s := range in {
		line := draw.LineStyle{Color: palette[i%len(palette)], Width: vg.Points(2)}
		dc.StrokeLine2(line, x, y, x+sample, y)
		x += sample + gap
		dc.FillText(sty, vg.Point{X: x, Y: y}, s.label)
		x += sty.Width(s.label) + 3*gap
	}
}

// newPanel returns a plot with a title, axis labels and a grid.
func newPanel(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text, p.Y.Label.Text = xLabel, yLabel
	p.Add(plotter.NewGrid())
	return p
}

// addLine adds a line of points to p in input i's colour, dashed or not.
// A stepped line holds each point's value until the next point: a
// second's figure covers the whole second.
func addLine(p *plot.Plot, pts plotter.XYs, i int, dashed, stepped bool) error {
	if len(pts) == 0 {
		return nil
	}
	l, err := plotter.NewLine(pts)
	if err != nil {
		return err
	}
	if stepped {
		l.StepStyle = plotter.PostStep
	}
	l.Color = palette[i%len(palette)]
	l.Width = vg.Points(1.5)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		l.Width = vg.Points(1)
	}
	p.Add(l)
	return nil
}

// latencyOverTime draws each input's p99 (solid) and p50 (dashed) per
// second, on a log scale: a 100 ms stall and a 50 µs median share the
// panel.
func latencyOverTime(in []series) (*plot.Plot, error) {
	p := newPanel("Latency over time: p99 (solid) and p50 (dashed) of each second", "seconds", "latency (ms)")
	logY(p)
	p.X.Min = 0
	any := false
	for i, s := range in {
		var p50, p99 plotter.XYs
		for _, r := range s.seconds {
			if r.Requests == 0 {
				continue // no latency to draw, and log(0) has no place
			}
			p99 = append(p99, plotter.XY{X: r.T, Y: positive(r.P99US / 1e3)})
			p50 = append(p50, plotter.XY{X: r.T, Y: positive(r.P50US / 1e3)})
		}
		p99, p50 = closeSteps(p99, s.seconds), closeSteps(p50, s.seconds)
		any = any || len(p99) > 0
		if err := addLine(p, p99, i, false, true); err != nil {
			return nil, err
		}
		if err := addLine(p, p50, i, true, true); err != nil {
			return nil, err
		}
	}
	return noData(p, any), nil
}

// spectrumPanel draws the percentile spectrum as HdrHistogram's plotter
// does: x is 1/(1−percentile) on a log scale, so that 90 %, 99 %, 99.9 %
// are evenly spaced and the tail gets the room it deserves.
func spectrumPanel(in []series) (*plot.Plot, error) {
	p := newPanel("Latency by percentile", "percentile", "latency (ms)")
	logY(p)
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = percentileTicks{}
	any := false
	for i, s := range in {
		var pts plotter.XYs
		for _, st := range s.spectrum {
			if st.P >= 1 {
				continue // 1/(1−p) is infinite: HdrHistogram's plotter drops it too
			}
			pts = append(pts, plotter.XY{X: 1 / (1 - st.P), Y: positive(st.US / 1e3)})
		}
		any = any || len(pts) > 0
		if err := addLine(p, pts, i, false, false); err != nil {
			return nil, err
		}
	}
	return noData(p, any), nil
}

// throughputPanel draws each input's requests per second, and its errors
// per second (dashed) when it had any.
func throughputPanel(in []series) (*plot.Plot, error) {
	p := newPanel("Throughput: responses (solid) and errors (dashed) per second", "seconds", "requests per second")
	p.X.Min, p.Y.Min = 0, 0
	p.Y.Tick.Marker = shortTicks{}
	any := false
	for i, s := range in {
		var rps, errs plotter.XYs
		hasErrors := false
		for _, r := range s.seconds {
			rps = append(rps, plotter.XY{X: r.T, Y: r.RPS})
			errs = append(errs, plotter.XY{X: r.T, Y: r.Errors / span(r)})
			hasErrors = hasErrors || r.Errors > 0
		}
		rps, errs = closeSteps(rps, s.seconds), closeSteps(errs, s.seconds)
		any = any || len(rps) > 0
		for _, pt := range rps {
			p.Y.Max = max(p.Y.Max, pt.Y*1.15)
		}
		if err := addLine(p, rps, i, false, true); err != nil {
			return nil, err
		}
		if hasErrors {
			if err := addLine(p, errs, i, true, true); err != nil {
				return nil, err
			}
		}
	}
	return noData(p, any), nil
}

// span returns how long a row of the series lasts: a second, but the
// last row's is what was left of the run (requests over rps).
func span(r second) float64 {
	if r.RPS > 0 && r.Requests > 0 {
		return r.Requests / r.RPS
	}
	return 1
}

// closeSteps ends a stepped line at the end of the last row's span, so
// that the last second is drawn as wide as it was.
func closeSteps(pts plotter.XYs, rows []second) plotter.XYs {
	if len(pts) == 0 || len(rows) == 0 {
		return pts
	}
	last := rows[len(rows)-1]
	end := pts[len(pts)-1]
	end.X = last.T + span(last)
	return append(pts, end)
}

// logY puts p's y axis on a log scale.
func logY(p *plot.Plot) {
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
}

// logTicks labels a log axis at 1, 2 and 5 times the powers of ten it
// spans, or at the powers of ten alone when it spans more than two of
// them; minor ticks fill in the rest.
type logTicks struct{}

// Ticks implements plot.Ticker.
func (logTicks) Ticks(min, max float64) []plot.Tick {
	if min <= 0 || max <= min {
		return plot.DefaultTicks{}.Ticks(min, max)
	}
	wide := math.Log10(max/min) > 2
	var ts []plot.Tick
	for e := math.Floor(math.Log10(min)); e <= math.Ceil(math.Log10(max)); e++ {
		pow := math.Pow(10, e)
		for m := 1.0; m < 10; m++ {
			v := m * pow
			if v < min*0.999 || v > max*1.001 {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || (!wide && (m == 2 || m == 5)) {
				t.Label = strconvTick(v)
			}
			ts = append(ts, t)
		}
	}
	return ts
}

// strconvTick prints a tick value without trailing zeros: 0.05, 2, 100.
func strconvTick(v float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.6f", v), "0"), ".")
}

// positive keeps a value off zero, which a log scale cannot show: a
// latency below a microsecond is drawn at one.
func positive(ms float64) float64 { return math.Max(ms, 1e-3) }

// noData marks a panel that none of the inputs could fill, and gives it
// axes a log scale can draw; a log axis with data spans whole decades.
func noData(p *plot.Plot, any bool) *plot.Plot {
	if _, isLog := p.Y.Scale.(plot.LogScale); any && isLog {
		// Whole decades: every power of ten in range gets its label.
		p.Y.Min = math.Pow(10, math.Floor(math.Log10(p.Y.Min)))
		p.Y.Max = math.Pow(10, math.Ceil(math.Log10(p.Y.Max)))
	}
	if !any {
		p.Title.Text += " (no data in the inputs)"
		p.X.Scale, p.Y.Scale = plot.LinearScale{}, plot.LinearScale{}
		p.X.Tick.Marker, p.Y.Tick.Marker = plot.DefaultTicks{}, plot.DefaultTicks{}
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	}
	return p
}

// percentileTicks labels the 1/(1−p) axis with percentiles: 0 %, 90 %,
// 99 %, 99.9 %, ...
type percentileTicks struct{}

// Ticks implements plot.Ticker.
func (percentileTicks) Ticks(min, max float64) []plot.Tick {
	var ts []plot.Tick
	for x, nines := 1.0, 0; x <= max*1.0001; x, nines = x*10, nines+1 {
		label := "0%"
		if nines > 0 {
			label = strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.*f", nines, 100-100/x), "0"), ".") + "%"
		}
		ts = append(ts, plot.Tick{Value: x, Label: label})
	}
	return ts
}

// shortTicks labels an axis with compact numbers (50k for 50000).
type shortTicks struct{}

// Ticks implements plot.Ticker.
func (shortTicks) Ticks(min, max float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ts {
		if ts[i].Label == "" {
			continue
		}
		switch v := ts[i].Value; {
		case v >= 1e6:
			ts[i].Label = strings.TrimSuffix(fmt.Sprintf("%.1f", v/1e6), ".0") + "M"
		case v >= 1e3:
			ts[i].Label = strings.TrimSuffix(fmt.Sprintf("%.1f", v/1e3), ".0") + "k"
		}
	}
	return ts
}
