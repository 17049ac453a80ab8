// Link I/O adapter: 6 x uint10 in (3 per beat), 4 x int5 out (2 per beat), 2 memories
module t_link_io (
  input  wire clk,
  input  wire rst,
  input  wire [1:0] mode,
  input  wire [7:0] mem,
  input  wire [31:0] addr,
  input  wire start,
  input  wire [7:0] in_byte,
  input  wire in_valid,
  output wire in_ready,
  output wire [7:0] out_byte,
  output wire out_valid,
  input  wire out_ready,
  output reg  mem_ok,
  output reg  [15:0] mem_wb,
  output reg  [31:0] mem_depth,
  output wire [29:0] df_in_data,
  output wire df_in_valid,
  input  wire df_in_ready,
  input  wire [9:0] df_out_data,
  input  wire df_out_valid,
  output wire df_out_ready,
  output reg  [1:0] wr_en,
  output reg  [5:0] wr_addr,
  output reg  [11:0] wr_data
);
  /* verilator lint_off UNUSEDSIGNAL */
  always @* begin
    mem_ok = 1'b0; mem_wb = 16'd1; mem_depth = 32'd0;
    case (mem)
      8'd0: begin mem_ok = 1'b1; mem_wb = 16'd2; mem_depth = 32'd10; end
      8'd1: begin mem_ok = 1'b1; mem_wb = 16'd1; mem_depth = 32'd40; end
      default: ;
    endcase
  end
  reg [15:0] ebuf;
  reg [0:0] bc;
  reg [1:0] lane;
  reg [29:0] beat;
  reg full;
  wire [15:0] value = {in_byte, ebuf[15:8]};
  wire infer = mode == 2'd1;
  wire write = mode == 2'd2;
  assign in_ready = (infer && !full) || write;
  assign df_in_valid = full;
  assign df_in_data = beat;
  always @(posedge clk) begin
    if (df_in_valid && df_in_ready) full <= 1'b0;
    if (infer && in_valid && in_ready) begin
      ebuf <= value;
      if (bc == 1'd1) begin
        bc <= 0;
        beat[lane*10 +: 10] <= value[9:0];
        if (lane == 2'd2) begin lane <= 0; full <= 1'b1; end else lane <= lane + 1'b1;
      end else bc <= bc + 1'b1;
    end
    if (rst || start) begin bc <= 0; lane <= 0; full <= 1'b0; end
  end
  reg [9:0] obeat;
  reg [0:0] j;
  reg [0:0] k;
  reg holding;
  wire [4:0] elem = obeat[j*5 +: 5];
  wire [7:0] wide = {{3{elem[4]}}, elem};
  assign out_byte = wide[k*8 +: 8];
  assign out_valid = holding;
  assign df_out_ready = !holding;
  always @(posedge clk) begin
    if (df_out_valid && df_out_ready) begin obeat <= df_out_data; holding <= 1'b1; j <= 0; k <= 0; end
    if (out_valid && out_ready) begin
      if (k == 1'd0) begin
        k <= 0;
        if (j == 1'd1) holding <= 1'b0; else j <= j + 1'b1;
      end else k <= k + 1'b1;
    end
    if (rst) holding <= 1'b0;
  end
  reg [15:0] wbuf;
  reg [0:0] wc;
  reg [5:0] waddr;
  reg [7:0] wmem;
  reg [0:0] wlast;
  always @* begin
    wlast = 0;
    case (wmem)
      8'd0: wlast = 1'd1;
      8'd1: wlast = 1'd0;
      default: ;
    endcase
  end
  reg [15:0] word;
  always @* begin word = wbuf; word[wc*8 +: 8] = in_byte; end
  always @(posedge clk) begin
    wr_en <= 0;
    if (write && in_valid) begin
      wbuf <= word;
      if (wc == wlast) begin
        wc <= 0;
        wr_en <= 2'd1 << wmem;
        wr_addr <= waddr;
        wr_data <= word[11:0];
        waddr <= waddr + 1'b1;
      end else wc <= wc + 1'b1;
    end
    if (start) begin wc <= 0; waddr <= addr[5:0]; wmem <= mem; end
    if (rst) begin wc <= 0; wr_en <= 0; end
  end
  /* verilator lint_on UNUSEDSIGNAL */
endmodule
