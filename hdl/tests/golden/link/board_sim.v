// bitloom virtual board: the board block behind the simulator's stream ports.
module bitloom_board_sim (
  input  wire clk,
  input  wire rst,
  input  wire [16:0] in_data,
  input  wire in_valid,
  output wire in_ready,
  output wire [4:0] out_data,
  output wire out_valid,
  input  wire out_ready
);
  /* verilator lint_off UNUSEDSIGNAL */
  wire unused = in_valid | out_ready;
  /* verilator lint_on UNUSEDSIGNAL */
  assign in_ready = 1'b1;
  assign out_valid = 1'b1;
  bitloom_link link (.clk(clk), .rst_in(rst), .uart_rx(in_data[0]), .baud_div(in_data[16:1]), .uart_tx(out_data[0]), .led_heartbeat(out_data[1]), .led_busy(out_data[2]), .led_error(out_data[3]), .active(out_data[4]));
endmodule
