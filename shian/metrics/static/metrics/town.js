/* A town's index by quarter (line) and the share of the index's weight that had data (bars). */
(function () {
  "use strict";
  var FONT = '"Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif';
  function draw() {
    var source = document.getElementById("town-chart-data");
    var el = document.getElementById("chart-town-trend");
    if (!source || !el || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    if (!data.labels.length) { el.classList.add("chart-empty"); el.textContent = "—"; return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      textStyle: { fontFamily: FONT }, tooltip: { trigger: "axis" }, legend: { top: 0 },
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels },
      yAxis: [{ type: "value", min: 0, max: 100 }],
      series: [
        { name: "指数", type: "line", data: data.scores, connectNulls: false, symbolSize: 8 },
        { name: "数据覆盖率 %", type: "bar", data: data.coverage, barMaxWidth: 24, itemStyle: { color: "#c9d6e6" } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
