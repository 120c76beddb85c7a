# SPDX-License-Identifier: MIT
# Writes OUTPUT, a C file holding TEMPLATE (the strata-map page) split at its
# data marker: crt_map_page_head and crt_map_page_tail, with their lengths.
# Usage: cmake -DTEMPLATE=<html> -DOUTPUT=<c file> -P map_page.cmake
cmake_minimum_required(VERSION 3.21)
set(marker "/*STRATA-MAP-DATA*/")
file(READ "${TEMPLATE}" page)
string(FIND "${page}" "${marker}" at)
if(at LESS 0)
  message(FATAL_ERROR "${TEMPLATE}: no ${marker}")
endif()
string(LENGTH "${marker}" marker_length)
math(EXPR tail_at "${at} + ${marker_length}")
string(SUBSTRING "${page}" 0 ${at} head)
string(SUBSTRING "${page}" ${tail_at} -1 tail)

function(c_bytes text out_var)
  string(HEX "${text}" hex)
  string(LENGTH "${hex}" hex_length)
  math(EXPR length "${hex_length} / 2")
  string(REGEX REPLACE "(..)" "0x\\1," bytes "${hex}")
  string(REGEX REPLACE "((0x..,){24})" "\\1\n" bytes "${bytes}")
  set(${out_var} "${bytes}0x00" PARENT_SCOPE)
  set(${out_var}_length ${length} PARENT_SCOPE)
endfunction()
c_bytes("${head}" head_bytes)
c_bytes("${tail}" tail_bytes)
file(WRITE "${OUTPUT}.tmp" "/* SPDX-License-Identifier: MIT */
/* Generated from tools/strata-map.html by crt/map_page.cmake. */
#include <stddef.h>
extern const unsigned char crt_map_page_head[];
extern const size_t crt_map_page_head_length;
extern const unsigned char crt_map_page_tail[];
extern const size_t crt_map_page_tail_length;
const unsigned char crt_map_page_head[] = {
${head_bytes}};
const size_t crt_map_page_head_length = ${head_bytes_length};
const unsigned char crt_map_page_tail[] = {
${tail_bytes}};
const size_t crt_map_page_tail_length = ${tail_bytes_length};
")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
