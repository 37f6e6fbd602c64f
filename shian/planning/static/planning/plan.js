/* Plan overview chart: targets by section and status, from the json_script on the page. */
(function () {
  "use strict";
  var FONT = '"Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif';
  var COLORS = { done: "#2f9e6f", on_track: "#4b8bd4", lagging: "#e0a030", late: "#c45a5a", no_data: "#b0b7bf" };
  function draw() {
    var source = document.getElementById("plan-chart-data");
    var el = document.getElementById("chart-plan-sections");
    if (!source || !el || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      textStyle: { fontFamily: FONT },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.sections, inverse: true },
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "all", data: s.values, itemStyle: { color: COLORS[s.key] },
                 barMaxWidth: 22 };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
