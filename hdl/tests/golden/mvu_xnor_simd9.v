// bitloom dataflow "block": 1 engines
/* verilator lint_off DECLFILENAME */


module bitloom_top(clk,rst,in_data,in_valid,in_ready,out_data,out_valid,out_ready);
    
    // Module arguments
    input wire  clk;
    input wire  rst;
    input wire  [8:0] in_data;
    input wire  in_valid;
    output reg  in_ready;
    output reg  [4:0] out_data;
    output reg  out_valid;
    input wire  out_ready;
    
    // Stub signals
    reg  engines$0$clk;
    reg  engines$0$rst;
    reg  [8:0] engines$0$in_data;
    reg  engines$0$in_valid;
    wire  engines$0$in_ready;
    wire  [4:0] engines$0$out_data;
    wire  engines$0$out_valid;
    reg  engines$0$out_ready;
    reg  engines$0$wr_en;
    reg  [2:0] engines$0$wr_addr;
    reg  [8:0] engines$0$wr_data;
    
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
        engines$0$wr_data = 9'd0;
    end
endmodule // bitloom_top

// v-- Setting output parameters to net type for wrapped code.


module bitloom_top$engines$0(clk,rst,in_data,in_valid,in_ready,out_data,out_valid,out_ready,wr_en,wr_addr,wr_data);
    
    // Module arguments
    input wire  clk;
    input wire  rst;
    input wire  [8:0] in_data;
    input wire  in_valid;
    output wire  in_ready;
    output wire  [4:0] out_data;
    output wire  out_valid;
    input wire  out_ready;
    input wire  wr_en;
    input wire  [2:0] wr_addr;
    input wire  [8:0] wr_data;
    
    // Update code (wrapper)
    bitloom_top_mvu core (.clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready), .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready), .wr_en(wr_en), .wr_addr(wr_addr), .wr_data(wr_data));
endmodule // bitloom_top$engines$0
// Matrix-vector unit mvu: MH 7 x MW 9, PE 1, SIMD 9, Xnor, bipolar -> int5
module bitloom_top_mvu (
  input  wire clk,
  input  wire rst,
  input  wire [8:0] in_data,
  input  wire in_valid,
  output wire in_ready,
  output wire [4:0] out_data,
  output wire out_valid,
  input  wire out_ready,
  input  wire wr_en,
  input  wire [2:0] wr_addr,
  input  wire [8:0] wr_data
);
  (* ram_style = "block" *) reg [8:0] wmem [0:6];
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
  reg [0:0] sf_cnt;
  reg [2:0] nf_cnt;
  reg [2:0] waddr;
  reg out_v;
  wire en = !out_v || out_ready;
  wire first_pass = nf_cnt == 0;
  wire issue = en && (!first_pass || in_valid);
  assign in_ready = en && first_pass;
  assign out_valid = out_v;
  reg v1, first1, last1;
  reg [8:0] w1;
  reg [8:0] x1;
  reg [8:0] ibuf [0:0];
  always @(posedge clk) begin
    if (rst) begin
      sf_cnt <= 0; nf_cnt <= 0; waddr <= 0; v1 <= 0; out_v <= 0;
    end else if (en) begin
      v1 <= issue;
      out_v <= v1 && last1;
      if (issue) begin
        waddr <= (waddr == 3'd6) ? 0 : waddr + 1'b1;
        if (sf_cnt == 1'd0) begin
          sf_cnt <= 0;
          nf_cnt <= (nf_cnt == 3'd6) ? 0 : nf_cnt + 1'b1;
        end else sf_cnt <= sf_cnt + 1'b1;
      end
    end
  end
  always @(posedge clk) begin
    if (issue) begin
      w1 <= wmem[waddr];
      first1 <= sf_cnt == 0;
      last1 <= sf_cnt == 1'd0;
      x1 <= first_pass ? in_data : ibuf[sf_cnt];
      if (first_pass) ibuf[sf_cnt] <= in_data;
    end
  end
  genvar p;
  generate for (p = 0; p < 1; p = p + 1) begin : lane
    reg [3:0] acc;
    reg [3:0] sum;
    reg [4:0] res;
    wire [8:0] agree = ~(w1[p*9 +: 9] ^ x1);
    /* verilator lint_off UNUSEDSIGNAL */
    wire [31:0] agreements = $countones(agree);
    /* verilator lint_on UNUSEDSIGNAL */
    always @* sum = (first1 ? 4'd0 : acc) + agreements[3:0];
    wire [4:0] value = {sum, 1'b0} - 5'd9;
    always @(posedge clk) begin
      if (en && v1) begin
        acc <= sum;
        if (last1) res <= value;
      end
    end
    assign out_data[p*5 +: 5] = res;
  end endgenerate
endmodule
