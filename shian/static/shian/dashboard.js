/* Dashboard charts: reads the numbers the page embedded with json_script and draws them with the
   locally served ECharts. No network access. */
(function () {
  "use strict";
  var FONT = '"Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif';
  var COLORS = ["#1d5fa8", "#2f9e8f", "#e0a030", "#c45a5a", "#6d5fb3", "#4b8bd4", "#7aa84a",
                "#d07a3c", "#8c8c8c", "#3aa0c8", "#b0568e"];

  function empty(el, text) {
    el.classList.add("chart-empty");
    el.textContent = text;
  }

  function draw() {
    var source = document.getElementById("dashboard-data");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var charts = [];

    var regionEl = document.getElementById("chart-by-region");
    if (regionEl) {
      if (!data.by_region.values.length) {
        empty(regionEl, data.text.empty);
      } else {
        var bar = echarts.init(regionEl, null, { renderer: "canvas" });
        bar.setOption({
          color: COLORS,
          textStyle: { fontFamily: FONT },
          grid: { left: 48, right: 16, top: 24, bottom: 8, containLabel: true },
          tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
          xAxis: {
            type: "category", data: data.by_region.labels,
            axisLabel: { interval: 0, rotate: data.by_region.labels.length > 8 ? 35 : 0, fontSize: 12 }
          },
          yAxis: { type: "value", minInterval: 1 },
          series: [{ name: data.text.series, type: "bar", data: data.by_region.values, barMaxWidth: 36,
                     label: { show: data.by_region.values.length <= 24, position: "top", fontSize: 11 } }]
        });
        charts.push(bar);
      }
    }

    var typeEl = document.getElementById("chart-by-type");
    if (typeEl) {
      if (!data.by_type.length) {
        empty(typeEl, data.text.empty);
      } else {
        var pie = echarts.init(typeEl, null, { renderer: "canvas" });
        pie.setOption({
          color: COLORS,
          textStyle: { fontFamily: FONT },
          tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
          legend: { type: "scroll", orient: "vertical", right: 0, top: "middle", textStyle: { fontSize: 12 } },
          series: [{
            name: data.text.series, type: "pie", radius: ["38%", "68%"], center: ["32%", "50%"],
            avoidLabelOverlap: true, label: { show: false }, data: data.by_type
          }]
        });
        charts.push(pie);
      }
    }

    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
