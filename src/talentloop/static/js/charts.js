// Talentloop charts: draws every [data-chart] element with ECharts from the options the server
// rendered with json_script (no inline script: the CSP forbids it). Loaded, with the pinned ECharts
// build, only by pages that show a chart.
(function () {
  "use strict";
  var charts = [];

  function phone(el) { return el.clientWidth < 520; }

  // Phone-size adjustments: smaller type, legends that scroll, axis labels that skip when crowded.
  function adapt(option, small) {
    var o = JSON.parse(JSON.stringify(option));
    if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) { o.animation = false; }
    o.textStyle = Object.assign({ fontFamily: "inherit", fontSize: small ? 11 : 12 }, o.textStyle || {});
    if (o.legend) {
      o.legend = Object.assign({ type: "scroll", itemWidth: small ? 14 : 20, itemGap: small ? 12 : 16,
        textStyle: { fontSize: small ? 11 : 12 } }, o.legend);
    }
    [].concat(o.xAxis || [], o.yAxis || []).forEach(function (axis) {
      axis.axisLabel = Object.assign({ fontSize: small ? 10 : 12 }, axis.axisLabel || {});
      if (axis.nameTextStyle === undefined) { axis.nameTextStyle = { fontSize: small ? 10 : 12 }; }
    });
    if (small && o.series) {
      o.series.forEach(function (s) {
        if (s.type === "line" && s.symbolSize) { s.symbolSize = Math.max(4, s.symbolSize - 2); }
      });
    }
    return o;
  }

  function draw(el) {
    if (el.dataset.chartReady || typeof window.echarts === "undefined") { return; }
    var source = document.getElementById(el.dataset.chart);
    if (!source) { return; }
    var option;
    try { option = JSON.parse(source.textContent); } catch (e) { return; }
    var small = phone(el);
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(adapt(option, small));
    el.dataset.chartReady = "1";
    el.classList.add("is-drawn");
    charts.push({ el: el, chart: chart, option: option, small: small });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(draw);
  }

  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) { window.clearTimeout(pending); }
    pending = window.setTimeout(function () {
      charts = charts.filter(function (c) { return document.body.contains(c.el); });
      charts.forEach(function (c) {
        var small = phone(c.el);
        if (small !== c.small) { c.small = small; c.chart.setOption(adapt(c.option, small), true); }
        c.chart.resize();
      });
    }, 150);
  });

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
  if (document.readyState !== "loading") { drawAll(document); }
})();
