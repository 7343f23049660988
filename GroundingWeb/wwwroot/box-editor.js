// Box editor of the Review page. Pointer Events cover mouse, pen and touch alike. Coordinates are
// converted from the screen to the image's own pixels through the SVG's transform, so the box is
// right at any display size. Drag inside the box to move it, a corner handle to resize it, or
// anywhere else on the image to draw a new one. Every finished gesture is reported to .NET.
window.groundingWeb = window.groundingWeb || {};
window.groundingWeb.boxEditor = {
  // Called for each prediction shown; Blazor may reuse the same <svg>, so listeners are added once.
  attach: function (svg, dotnet, box, width, height) {
    if (svg._boxEditor) {
      Object.assign(svg._boxEditor, { dotnet, box: box.slice(), width, height, drag: null });
      svg._boxEditor.draw();
      return;
    }
    const editor = { svg, dotnet, box: box.slice(), width, height, drag: null };
    svg._boxEditor = editor;
    const rect = svg.querySelector('.edit-box');
    const handles = Array.from(svg.querySelectorAll('.edit-handle'));

    function toImage(event) {
      const point = svg.createSVGPoint();
      point.x = event.clientX;
      point.y = event.clientY;
      const p = point.matrixTransform(svg.getScreenCTM().inverse());
      return [Math.min(Math.max(p.x, 0), editor.width), Math.min(Math.max(p.y, 0), editor.height)];
    }

    function draw() {
      const [x1, y1, x2, y2] = editor.box;
      rect.setAttribute('x', Math.min(x1, x2));
      rect.setAttribute('y', Math.min(y1, y2));
      rect.setAttribute('width', Math.abs(x2 - x1));
      rect.setAttribute('height', Math.abs(y2 - y1));
      const corners = [[x1, y1], [x2, y1], [x1, y2], [x2, y2]];
      handles.forEach((h, i) => { h.setAttribute('cx', corners[i][0]); h.setAttribute('cy', corners[i][1]); });
    }

    svg.addEventListener('pointerdown', function (event) {
      event.preventDefault();
      const start = toImage(event);
      const handle = event.target.classList.contains('edit-handle') ? Number(event.target.dataset.corner) : -1;
      const [x1, y1, x2, y2] = editor.box;
      const inside = start[0] >= Math.min(x1, x2) && start[0] <= Math.max(x1, x2) && start[1] >= Math.min(y1, y2) && start[1] <= Math.max(y1, y2);
      editor.drag = { mode: handle >= 0 ? 'resize' : inside ? 'move' : 'draw', handle, start, original: editor.box.slice() };
      if (editor.drag.mode === 'draw') editor.box = [start[0], start[1], start[0], start[1]];
      // Keeps the gesture ours when the finger or mouse leaves the image; synthetic events have no capturable pointer.
      try { svg.setPointerCapture(event.pointerId); } catch (e) { }
      draw();
    });

    svg.addEventListener('pointermove', function (event) {
      const drag = editor.drag;
      if (!drag) return;
      const [px, py] = toImage(event);
      const [ox1, oy1, ox2, oy2] = drag.original;
      if (drag.mode === 'move') {
        const w = ox2 - ox1, h = oy2 - oy1;
        const dx = Math.min(Math.max(px - drag.start[0], -ox1), editor.width - ox2);
        const dy = Math.min(Math.max(py - drag.start[1], -oy1), editor.height - oy2);
        editor.box = [ox1 + dx, oy1 + dy, ox1 + dx + w, oy1 + dy + h];
      } else if (drag.mode === 'resize') {
        const b = drag.original.slice();
        if (drag.handle === 0 || drag.handle === 2) b[0] = px; else b[2] = px;
        if (drag.handle === 0 || drag.handle === 1) b[1] = py; else b[3] = py;
        editor.box = b;
      } else {
        editor.box = [drag.start[0], drag.start[1], px, py];
      }
      draw();
    });

    function finish(event) {
      if (!editor.drag) return;
      editor.drag = null;
      const [a, b, c, d] = editor.box;
      editor.box = [Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d)];
      draw();
      editor.dotnet.invokeMethodAsync('BoxEdited', editor.box[0], editor.box[1], editor.box[2], editor.box[3]);
    }
    svg.addEventListener('pointerup', finish);
    svg.addEventListener('pointercancel', finish);
    editor.draw = draw;
    draw();
  },

  set: function (svg, box) {
    const editor = svg && svg._boxEditor;
    if (!editor) return;
    editor.box = box.slice();
    editor.draw();
  }
};

// Review shortcuts: ignored while typing in a field.
window.groundingWeb.reviewKeys = {
  attach: function (dotnet) {
    if (window.groundingWeb._reviewKeys) document.removeEventListener('keydown', window.groundingWeb._reviewKeys);
    window.groundingWeb._reviewKeys = function (event) {
      const tag = (event.target.tagName || '').toLowerCase();
      if (tag === 'input' || tag === 'textarea' || event.target.isContentEditable || event.ctrlKey || event.metaKey || event.altKey) return;
      const keys = ['c', 'x', 'f', 'a', 'n', 'p', 'ArrowRight', 'ArrowLeft', 'j', 'k', 'r'];
      if (!keys.includes(event.key)) return;
      event.preventDefault();
      dotnet.invokeMethodAsync('Shortcut', event.key);
    };
    document.addEventListener('keydown', window.groundingWeb._reviewKeys);
  },
  detach: function () {
    if (window.groundingWeb._reviewKeys) document.removeEventListener('keydown', window.groundingWeb._reviewKeys);
    window.groundingWeb._reviewKeys = null;
  }
};
