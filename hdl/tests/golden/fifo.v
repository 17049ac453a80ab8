// FIFO fifo: 4 x 9 bits
module bitloom_top_fifo (
  input  wire clk,
  input  wire rst,
  input  wire [8:0] in_data,
  input  wire in_valid,
  output wire in_ready,
  output wire [8:0] out_data,
  output wire out_valid,
  input  wire out_ready
);
  reg [8:0] mem [0:3];
  reg [1:0] wp, rp;
  reg [2:0] count;
  reg r_valid, o_valid;
  reg [8:0] r_data, o_data;
  wire o_free = !o_valid || out_ready;
  wire r_free = !r_valid || o_free;
  wire rd = (count != 0) && r_free;
  wire wr = in_valid && in_ready;
  assign in_ready = count != 3'd4;
  assign out_valid = o_valid;
  assign out_data = o_data;
  always @(posedge clk) begin
    if (wr) mem[wp] <= in_data;
    if (rd) r_data <= mem[rp];
    if (o_free) o_data <= r_data;
  end
  always @(posedge clk) begin
    if (rst) begin wp <= 0; rp <= 0; count <= 0; r_valid <= 0; o_valid <= 0; end
    else begin
      if (wr) wp <= (wp == 3) ? 0 : wp + 1'b1;
      if (rd) rp <= (rp == 3) ? 0 : rp + 1'b1;
      count <= count + {2'd0, wr} - {2'd0, rd};
      if (r_free) r_valid <= rd;
      if (o_free) o_valid <= r_valid;
    end
  end
endmodule

// bitloom dataflow top for "block": 1 engines
module bitloom_top (
  input  wire clk,
  input  wire rst,
  input  wire [8:0] in_data,
  input  wire in_valid,
  output wire in_ready,
  output wire [8:0] out_data,
  output wire out_valid,
  input  wire out_ready
);
  wire [8:0] s0_data; wire s0_valid, s0_ready;
  wire [8:0] s1_data; wire s1_valid, s1_ready;
  assign s0_data = in_data; assign s0_valid = in_valid; assign in_ready = s0_ready;
  assign out_data = s1_data; assign out_valid = s1_valid; assign s1_ready = out_ready;
  bitloom_top_fifo u_fifo (.clk(clk), .rst(rst), .in_data(s0_data), .in_valid(s0_valid), .in_ready(s0_ready), .out_data(s1_data), .out_valid(s1_valid), .out_ready(s1_ready));
endmodule
