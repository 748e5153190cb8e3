// Draws every chart of a page with Chart.js (chart.umd.min.js, loaded before this file).
// A chart is a <canvas data-chart="ID"> and its data a <script type="application/json"
// id="ID"> beside it: {"labels": [...], "datasets": [{"label", "data"}]}. The data is parsed
// as JSON, never run; labels are drawn on the canvas as text. No inline script: the pages'
// Content-Security-Policy allows only the package's own files.
(function () {
  "use strict";
  var palette = ["#1f6fb2", "#d9822b", "#3a9a5b", "#8e5ab5", "#c4463a", "#6b7b8c",
    "#b59a2a", "#2aa6a6", "#b5467f", "#4a4a4a"];
  var verdictColours = { ok: "#3a9a5b", failed: "#c4463a" };
  var gapColour = "#e0303a";

  function dataset(spec, index, kind, gaps) {
    var colour = verdictColours[spec.label] || palette[index % palette.length];
    var out = { label: spec.label, data: spec.data, borderColor: colour, backgroundColor: colour };
    out.legendColour = colour;
    if (gaps) {
      // A day without any article gets a short red bar, so gaps stand out.
      out.backgroundColor = spec.data.map(function (v) { return v === 0 ? gapColour : colour; });
      out.minBarLength = 3;
    }
    if (kind === "line") {
      out.fill = false;
      out.tension = 0;
      out.pointRadius = 2;
    }
    return out;
  }

  // Legend swatches in each dataset's own colour (not that of its first bar, red on a gap).
  function legend(chart) {
    var items = Chart.defaults.plugins.legend.labels.generateLabels(chart);
    items.forEach(function (item) {
      var colour = chart.data.datasets[item.datasetIndex].legendColour;
      if (colour) {
        item.fillStyle = colour;
        item.strokeStyle = colour;
      }
    });
    return items;
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source || typeof Chart === "undefined") {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var kind = canvas.getAttribute("data-kind") || "bar";
    var stacked = canvas.getAttribute("data-stacked") === "yes";
    var gaps = canvas.getAttribute("data-gaps") === "yes";
    var sets = spec.datasets.map(function (d, i) { return dataset(d, i, kind, gaps); });
    new Chart(canvas, {
      type: kind,
      data: { labels: spec.labels, datasets: sets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { stacked: stacked, ticks: { autoSkip: true, maxRotation: 60 } },
          y: { stacked: stacked, beginAtZero: true }
        },
        plugins: { legend: { position: "bottom", labels: { generateLabels: legend } } }
      }
    });
  }

  document.querySelectorAll("canvas[data-chart]").forEach(draw);
}());
