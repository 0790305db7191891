/* Plan pages: follow a planning job, draw the routes map, filter the decisions. */
(function () {
  "use strict";

  function followJob() {
    var box = document.getElementById("plan-job");
    if (!box || box.dataset.finished === "1") return;
    var bar = document.getElementById("plan-job-bar");
    var message = document.getElementById("plan-job-message");
    var error = document.getElementById("plan-job-error");
    function poll() {
      fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (job) {
          bar.value = job.progress;
          message.textContent = job.status_label + (job.message ? " · " + job.message : "");
          if (job.status === "succeeded" && job.version_url) {
            window.location.assign(job.version_url);
          } else if (job.status === "failed") {
            error.textContent = job.error;
          } else {
            window.setTimeout(poll, 1000);
          }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    window.setTimeout(poll, 1000);
  }

  function drawMap() {
    var element = document.getElementById("plan-map");
    var source = document.getElementById("plan-map-data");
    if (!element || !source || typeof L === "undefined") return;
    var data = JSON.parse(source.textContent);
    var map = L.map(element);
    if (element.dataset.tileUrl) {
      L.tileLayer(element.dataset.tileUrl, { maxZoom: 19, attribution: element.dataset.attribution }).addTo(map);
    }
    var bounds = L.latLngBounds([[data.office.lat, data.office.lon]]);
    data.routes.forEach(function (route) {
      L.polyline(route.points, { color: route.colour, weight: 3, opacity: 0.85 })
        .bindTooltip(route.name).addTo(map);
      route.points.forEach(function (p) { bounds.extend(p); });
    });
    data.clients.forEach(function (client) {
      var marker = L.circleMarker([client.lat, client.lon], {
        radius: client.isolated ? 8 : 6,
        color: client.isolated ? "#b3261e" : "#1d2733",
        weight: client.isolated ? 3 : 1,
        fillColor: client.isolated ? "#fbe9e7" : "#ffffff",
        fillOpacity: 1
      });
      var popup = document.createElement("div");
      var name = document.createElement("strong");
      name.textContent = client.name;
      popup.appendChild(name);
      popup.appendChild(document.createElement("br"));
      popup.appendChild(document.createTextNode(client.address));
      if (client.isolated) {
        var warn = document.createElement("div");
        warn.style.color = "#b3261e";
        warn.textContent = data.labels.isolated;
        popup.appendChild(warn);
      }
      var list = document.createElement("ul");
      client.visits.forEach(function (text) {
        var item = document.createElement("li");
        item.textContent = text;
        list.appendChild(item);
      });
      popup.appendChild(list);
      marker.bindPopup(popup).addTo(map);
      bounds.extend([client.lat, client.lon]);
    });
    L.marker([data.office.lat, data.office.lon], {
      icon: L.divIcon({ className: "", html: "<div style=\"background:#12324f;color:#fff;border-radius:4px;padding:1px 4px;font-size:11px\">&#8962;</div>" })
    }).bindPopup(data.labels.office + ": " + data.office.name).addTo(map);
    map.fitBounds(bounds.pad(0.05));
  }

  function filterDecisions() {
    var form = document.getElementById("plan-filters");
    var table = document.getElementById("plan-decisions");
    if (!form || !table) return;
    var decision = form.elements.decision;
    var klass = form.elements["class"];
    var count = document.getElementById("plan-filter-count");
    var params = new URLSearchParams(window.location.search);
    if (params.get("decision")) decision.value = params.get("decision");
    if (params.get("class")) klass.value = params.get("class");
    function apply() {
      var shown = 0, rows = table.tBodies[0].rows;
      for (var i = 0; i < rows.length; i++) {
        var ok = (!decision.value || rows[i].dataset.decision === decision.value) &&
                 (!klass.value || rows[i].dataset["class"] === klass.value);
        rows[i].hidden = !ok;
        if (ok) shown++;
      }
      count.textContent = shown + " / " + rows.length;
    }
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
    apply();
  }

  document.addEventListener("DOMContentLoaded", function () {
    followJob();
    drawMap();
    filterDecisions();
  });
})();
