// bitloom dataflow "block": 1 engines
/* verilator lint_off DECLFILENAME */


module bitloom_top(clk,rst,in_data,in_valid,in_ready,out_data,out_valid,out_ready);
    
    // Module arguments
    input wire  clk;
    input wire  rst;
    input wire  [7:0] in_data;
    input wire  in_valid;
    output reg  in_ready;
    output reg  [47:0] out_data;
    output reg  out_valid;
    input wire  out_ready;
    
    // Stub signals
    reg  engines$0$clk;
    reg  engines$0$rst;
    reg  [7:0] engines$0$in_data;
    reg  engines$0$in_valid;
    wire  engines$0$in_ready;
    wire  [47:0] engines$0$out_data;
    wire  engines$0$out_valid;
    reg  engines$0$out_ready;
    reg  engines$0$wr_en;
    reg  [2:0] engines$0$wr_addr;
    reg  [3:0] engines$0$wr_data;
    
    // Sub module instances
    bitloom_top$engines$0 engines$0(
        .clk(engines$0$clk),
        .rst(engines$0$rst),
        .in_data(engines$0$in_data),
        .in_valid(engines$0$in_valid),
        .in_ready(engines$0$in_ready),
        .out_data(engines$0$out_data),
        .out_valid(engines$0$out_valid),
        .out_ready(engines$0$out_ready),
        .wr_en(engines$0$wr_en),
        .wr_addr(engines$0$wr_addr),
        .wr_data(engines$0$wr_data)
    );
    
    // Update code (custom)
    always @(*) begin
        engines$0$clk = clk;
        engines$0$rst = rst;
        engines$0$in_data = in_data;
        engines$0$in_valid = in_valid;
        in_ready = engines$0$in_ready;
        out_data = engines$0$out_data;
        out_valid = engines$0$out_valid;
        engines$0$out_ready = out_ready;
        engines$0$wr_en = 1'b0;
        engines$0$wr_addr = 3'd0;
        engines$0$wr_data = 4'd0;
    end
endmodule // bitloom_top

// v-- Setting output parameters to net type for wrapped code.


module bitloom_top$engines$0(clk,rst,in_data,in_valid,in_ready,out_data,out_valid,out_ready,wr_en,wr_addr,wr_data);
    
    // Module arguments
    input wire  clk;
    input wire  rst;
    input wire  [7:0] in_data;
    input wire  in_valid;
    output wire  in_ready;
    output wire  [47:0] out_data;
    output wire  out_valid;
    input wire  out_ready;
    input wire  wr_en;
    input wire  [2:0] wr_addr;
    input wire  [3:0] wr_data;
    
    // Update code (wrapper)
    bitloom_top_mvu core (.clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready), .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready), .wr_en(wr_en), .wr_addr(wr_addr), .wr_data(wr_data));
endmodule // bitloom_top$engines$0
// Matrix-vector unit mvu: MH 4 x MW 6, PE 4, SIMD 1, SignedAdd, uint8 -> int12
module bitloom_top_mvu (
  input  wire clk,
  input  wire rst,
  input  wire [7:0] in_data,
  input  wire in_valid,
  output wire in_ready,
  output wire [47:0] out_data,
  output wire out_valid,
  input  wire out_ready,
  input  wire wr_en,
  input  wire [2:0] wr_addr,
  input  wire [3:0] wr_data
);
  (* ram_style = "block" *) reg [3:0] wmem [0:5];
`ifdef VERILATOR
  string wmem_dir;
  initial begin
    if (!$value$plusargs("bitloom_mem_dir=%s", wmem_dir)) wmem_dir = ".";
    $readmemh({wmem_dir, "/bitloom_top_mvu_w.mem"}, wmem);
  end
`else
  initial $readmemh("bitloom_top_mvu_w.mem", wmem);
`endif
  always @(posedge clk) if (wr_en) wmem[wr_addr] <= wr_data;
  reg [2:0] sf_cnt;
  reg [0:0] nf_cnt;
  reg [2:0] waddr;
  reg out_v;
  wire en = !out_v || out_ready;
  wire first_pass = nf_cnt == 0;
  wire issue = en && (!first_pass || in_valid);
  assign in_ready = en && first_pass;
  assign out_valid = out_v;
  reg v1, first1, last1;
  reg [3:0] w1;
  reg [7:0] x1;
  always @(posedge clk) begin
    if (rst) begin
      sf_cnt <= 0; nf_cnt <= 0; waddr <= 0; v1 <= 0; out_v <= 0;
    end else if (en) begin
      v1 <= issue;
      out_v <= v1 && last1;
      if (issue) begin
        waddr <= (waddr == 3'd5) ? 0 : waddr + 1'b1;
        if (sf_cnt == 3'd5) begin
          sf_cnt <= 0;
          nf_cnt <= (nf_cnt == 1'd0) ? 0 : nf_cnt + 1'b1;
        end else sf_cnt <= sf_cnt + 1'b1;
      end
    end
  end
  always @(posedge clk) begin
    if (issue) begin
      w1 <= wmem[waddr];
      first1 <= sf_cnt == 0;
      last1 <= sf_cnt == 3'd5;
      x1 <= in_data;
    end
  end
  genvar p;
  generate for (p = 0; p < 4; p = p + 1) begin : lane
    reg [11:0] acc;
    reg [11:0] sum;
    reg [11:0] res;
    wire [11:0] xe;
    genvar e;
    for (e = 0; e < 1; e = e + 1) begin : widen
      assign xe[e*12 +: 12] = {4'd0, x1[e*8 +: 8]};
    end
    integer k;
    always @* begin
      sum = first1 ? 12'd0 : acc;
      for (k = 0; k < 1; k = k + 1)
        sum = w1[p*1 + k] ? sum + xe[k*12 +: 12] : sum - xe[k*12 +: 12];
    end
    wire [11:0] value = sum;
    always @(posedge clk) begin
      if (en && v1) begin
        acc <= sum;
        if (last1) res <= value;
      end
    end
    assign out_data[p*12 +: 12] = res;
  end endgenerate
endmodule
