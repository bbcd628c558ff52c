/* The incidents' map: Leaflet (static/vendor), the Natural Earth outlines shipped in static/stats (or the site's
   tile server when DOCKET_MAP_TILE_URL is set), and clusters computed by the server for the visible box and zoom,
   so 100,000 incidents cost no more than the few hundred markers on screen. Text from the data is set with
   textContent, never as HTML. */
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) { return; }
  var data = el.dataset;
  var status = document.getElementById("map-status");
  var map = L.map(el, { worldCopyJump: true, minZoom: 1, maxZoom: 18 }).setView([55.75, 37.62], 4);
  if (data.tiles) {
    L.tileLayer(data.tiles, { maxZoom: 19 }).addTo(map);
  } else {
    fetch(data.basemap, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (geo) {
      L.geoJSON(geo, { interactive: false, style: function () { return { className: "country" }; } }).addTo(map).bringToBack();
    });
  }
  var layer = L.layerGroup().addTo(map);
  var pending = null;

  function url(zoom, bounds) {
    var box = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()].map(function (v) { return v.toFixed(5); });
    if (bounds.getEast() - bounds.getWest() >= 360) { box = ["-180", box[1], "180", box[3]]; }
    return data.geo + "?zoom=" + zoom + "&bbox=" + box.join(",") + (data.query ? "&" + data.query : "");
  }

  function popup(props) {
    var box = document.createElement("div");
    var title = document.createElement("a");
    title.href = props.url;
    title.textContent = props.title;
    var meta = document.createElement("div");
    meta.className = "small muted";
    meta.textContent = props.occurred_at + " · " + props.category;
    box.appendChild(title);
    box.appendChild(meta);
    return box;
  }

  function draw(geo) {
    layer.clearLayers();
    geo.features.forEach(function (f) {
      var ll = L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]);
      var p = f.properties;
      if (p.cluster) {
        var size = p.count < 10 ? 28 : p.count < 100 ? 36 : p.count < 1000 ? 44 : 54;
        var cls = p.count < 100 ? "" : p.count < 1000 ? " size-m" : " size-l";
        var icon = L.divIcon({ className: "cluster" + cls, html: String(p.count), iconSize: [size, size] });
        L.marker(ll, { icon: icon, keyboard: true, title: p.count + " " + data.labelIncidents })
          .on("click", function () { map.setView(ll, Math.min(map.getZoom() + 2, 18)); }).addTo(layer);
      } else {
        L.circleMarker(ll, { radius: 7, className: "incident-point", color: "#1f3a5f", fillColor: "#2f6fb0", fillOpacity: 0.9, weight: 2 })
          .bindPopup(popup(p)).addTo(layer);
      }
    });
    el.dataset.features = String(geo.features.length);
    el.dataset.total = String(geo.total);
  }

  function load() {
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(url(map.getZoom(), map.getBounds()), { credentials: "same-origin", signal: pending.signal })
      .then(function (r) { return r.json(); }).then(draw).catch(function () {});
  }

  // First look: the whole world, then fit the view to where the incidents are.
  fetch(url(2, L.latLngBounds([-90, -180], [90, 180])), { credentials: "same-origin" })
    .then(function (r) { return r.json(); }).then(function (geo) {
      var pts = geo.features.map(function (f) { return [f.geometry.coordinates[1], f.geometry.coordinates[0]]; });
      map.on("moveend", load);
      if (pts.length) { map.fitBounds(L.latLngBounds(pts).pad(0.2), { maxZoom: 12 }); } else { load(); }
      if (pts.length && map.getZoom() === 4) { load(); }
    });
  if (status) { status.dataset.ready = "1"; }
})();
