// This file is yours: aa-gen created it once and never overwrites it.
//
// Hand-written conversions of Widget for the fields that differ between versions, like
// conversion-gen's hand-written Convert_* functions. src/generated/conversion/widget.ts calls each
// function after it has copied every field that matches into `dst`; fill in the rest of `dst`
// from `src` (never modify `src`).

import type * as v1 from '../generated/apis/demo.example.com/v1/types.js';
import type * as v1beta1 from '../generated/apis/demo.example.com/v1beta1/types.js';

const colors: readonly string[] = ['red', 'green', 'blue'] satisfies v1.WidgetSpec['color'][];

/** v1beta1 -> v1: `colour` was renamed `color` (and restricted to three values) in v1. */
export function convertWidgetSpecV1beta1ToV1(src: v1beta1.WidgetSpec, dst: v1.WidgetSpec): void {
  if (src.colour !== undefined && colors.includes(src.colour)) {
    dst.color = src.colour as v1.WidgetSpec['color'];
  }
}

/**
 * v1 -> v1beta1: `color` becomes `colour`. v1beta1 has no labels, ports, tags, note, config or
 * createdBy: they are left out here, and the generated conversion keeps them for the way back.
 */
export function convertWidgetSpecV1ToV1beta1(src: v1.WidgetSpec, dst: v1beta1.WidgetSpec): void {
  if (src.color !== undefined) dst.colour = src.color;
}
