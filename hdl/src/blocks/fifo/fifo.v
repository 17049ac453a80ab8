// bitloom stream FIFO: DEPTH beats of WIDTH bits with a registered, first-word-fall-through
// output. Storage is a synchronous-read memory (block RAM when BLOCK_RAM is set) followed by a
// read stage and an output register, so it holds up to DEPTH + 2 beats. One beat per cycle;
// latency 3 cycles. AW and CW are the pointer and counter widths (hdl/src/blocks/fifo, Params).
`ifndef BITLOOM_FIFO_V
`define BITLOOM_FIFO_V
module bitloom_fifo #(
  parameter integer WIDTH = 8,
  parameter integer DEPTH = 2,
  parameter integer AW = 1,
  parameter integer CW = 2,
  parameter integer BLOCK_RAM = 0
) (
  input  wire clk,
  input  wire rst,
  input  wire [WIDTH-1:0] in_data,
  input  wire in_valid,
  output wire in_ready,
  output wire [WIDTH-1:0] out_data,
  output wire out_valid,
  input  wire out_ready
);
  localparam [31:0] LAST32 = DEPTH - 1;
  localparam [31:0] FULL32 = DEPTH;
  localparam [AW-1:0] LAST = LAST32[AW-1:0];
  localparam [CW-1:0] FULL = FULL32[CW-1:0];
  reg [AW-1:0] wp, rp;
  reg [CW-1:0] count;
  reg r_valid, o_valid;
  reg [WIDTH-1:0] r_data, o_data;
  wire o_free = !o_valid || out_ready;
  wire r_free = !r_valid || o_free;
  wire rd = (count != 0) && r_free;
  wire wr = in_valid && in_ready;
  assign in_ready = count != FULL;
  assign out_valid = o_valid;
  assign out_data = o_data;
  // Deep FIFOs belong in block RAM; small ones are left to the tool (registers on iCE40).
  generate if (BLOCK_RAM != 0) begin : bram
    (* ram_style = "block" *) reg [WIDTH-1:0] mem [0:DEPTH-1];
    always @(posedge clk) begin
      if (wr) mem[wp] <= in_data;
      if (rd) r_data <= mem[rp];
    end
  end else begin : regs
    reg [WIDTH-1:0] mem [0:DEPTH-1];
    always @(posedge clk) begin
      if (wr) mem[wp] <= in_data;
      if (rd) r_data <= mem[rp];
    end
  end endgenerate
  always @(posedge clk) if (o_free) o_data <= r_data;
  always @(posedge clk) begin
    if (rst) begin wp <= 0; rp <= 0; count <= 0; r_valid <= 0; o_valid <= 0; end
    else begin
      if (wr) wp <= (wp == LAST) ? 0 : wp + 1'b1;
      if (rd) rp <= (rp == LAST) ? 0 : rp + 1'b1;
      count <= count + {{(CW-1){1'b0}}, wr} - {{(CW-1){1'b0}}, rd};
      if (r_free) r_valid <= rd;
      if (o_free) o_valid <= r_valid;
    end
  end
endmodule
`endif
